// `node tools/bench/probes/per-message.mjs <A.cpuprofile> <A msg/s> <B.cpuprofile> <B msg/s>`: each
// function's self time per delivered message (ns) in two gateways' CPU profiles (from
// BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-interval=250 --cpu-prof-dir=…"), busiest first by
// how much more A spends; only 250 ms slots with under 15% idle after the first 3 s count (the load,
// not start-up or warm-up). Fractions of samples hide a slowdown of code both run; this does not.
import { readFileSync } from 'node:fs';
function load(f) {
  const p = JSON.parse(readFileSync(f, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  let t = p.startTime; const times = p.timeDeltas.map((d) => (t += d));
  const B = 250000, idleIn = {}, allIn = {};
  p.samples.forEach((id, i) => { const b = Math.floor(times[i] / B); allIn[b] = (allIn[b] ?? 0) + 1; if (byId.get(id).callFrame.functionName === '(idle)') idleIn[b] = (idleIn[b] ?? 0) + 1; });
  const busyB = new Set(Object.keys(allIn).filter((b) => (idleIn[b] ?? 0) / allIn[b] < 0.15 && Number(b) * B - p.startTime > 3e6).map(Number));
  const fn = {};
  let n = 0;
  p.samples.forEach((id, i) => {
    if (!busyB.has(Math.floor(times[i] / B))) return;
    const c = byId.get(id).callFrame; const u = c.url;
    const k = (u.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? u.split('/').pop()) + ' ' + c.functionName + ':' + c.lineNumber;
    fn[k] = (fn[k] ?? 0) + 1; n++;
  });
  return { fn, busyS: busyB.size * B / 1e6, n };
}
const [fa, ra, fb, rb] = process.argv.slice(2);
const A = load(fa), B = load(fb);
const nsA = (k) => ((A.fn[k] ?? 0) / A.n) * 1e9 / Number(ra), nsB = (k) => ((B.fn[k] ?? 0) / B.n) * 1e9 / Number(rb);
console.log('busy s', A.busyS, B.busyS, 'total ns/msg', (1e9 / Number(ra)).toFixed(0), (1e9 / Number(rb)).toFixed(0));
const keys = [...new Set([...Object.keys(A.fn), ...Object.keys(B.fn)])].sort((x, y) => (nsA(y) - nsB(y)) - (nsA(x) - nsB(x)));
for (const k of keys.slice(0, Number(process.env.TOP ?? 30))) console.log(nsA(k).toFixed(1).padStart(7), nsB(k).toFixed(1).padStart(7), (nsA(k) - nsB(k)).toFixed(1).padStart(7), k);
console.log('...');
for (const k of keys.slice(-10)) console.log(nsA(k).toFixed(1).padStart(7), nsB(k).toFixed(1).padStart(7), (nsA(k) - nsB(k)).toFixed(1).padStart(7), k);
