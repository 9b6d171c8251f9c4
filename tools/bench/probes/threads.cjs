// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/threads.cjs"): every 2 s, on stderr,
// the CPU (ms) each of the gateway's threads used over those 2 s, by thread (the main
// thread first, then V8's helpers — concurrent marking, parallel scavenge, the optimising
// compiler — and libuv's), and the context switches of the main thread. The gateway runs on one
// core (taskset): whatever its helpers use there is time the main thread waits for, and a CPU
// profile of the main thread spreads that wait over whatever it was running.
const { readdirSync, readFileSync } = require('node:fs');

const TICK_MS = 10; // USER_HZ is 100 on Linux
const last = new Map();

function threads() {
  const now = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
      const switches = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]);
      now.set(tid, { name, cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS, switches });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return now;
}

setInterval(() => {
  const now = threads();
  const main = String(process.pid);
  const byName = new Map();
  let mainMs = 0;
  let mainSwitches = 0;
  for (const [tid, t] of now) {
    const before = last.get(tid) ?? { cpuMs: 0, switches: 0 };
    const ms = t.cpuMs - before.cpuMs;
    if (tid === main) {
      mainMs = ms;
      mainSwitches = t.switches - before.switches;
    } else {
      // Threads are told apart by when they started (all are named "node"): #1 the first after the main one.
      const label = `${t.name}#${Number(tid) - process.pid}`;
      byName.set(label, (byName.get(label) ?? 0) + ms);
    }
  }
  last.clear();
  for (const [tid, t] of now) last.set(tid, t);
  const helpers = [...byName].filter(([, ms]) => ms > 0).map(([name, ms]) => `${name} ${ms}`);
  const helperMs = [...byName.values()].reduce((a, b) => a + b, 0);
  process.stderr.write(`threads main ${mainMs} ms (${mainSwitches} switches), helpers ${helperMs} ms: ${helpers.join(', ')}\n`);
}, 2000).unref();
