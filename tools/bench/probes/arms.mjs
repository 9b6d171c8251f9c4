// `node tools/bench/probes/arms.mjs <arm> <bench log>… <arm> <bench log>…`: an A/B over many bench
// invocations (`npm run bench:mqtt -- --cluster-only --only <scenario> --no-docs --runs 2`, the
// arms' invocations interleaved), arm by arm: each set-up's mean rate ± its spread, and the
// pairs' cluster ÷ bare in memory as median, mean and the mean's standard error. An argument
// that does not end in `.log` names the arm the logs after it belong to. Consecutive runs of
// one set-up spread ±8–15% even on a quiet host, so an arm wants 10 pairs or more to tell 5%
// apart (docs/benchmarks.md, "Reading the cluster table").
import { readFileSync } from 'node:fs';

const arms = new Map();
let arm;
for (const arg of process.argv.slice(2)) {
  if (!arg.endsWith('.log')) arms.set((arm = arg), []);
  else if (arm) arms.get(arm).push(arg);
  else throw new Error(`${arg}: name its arm first`);
}
if (arms.size === 0) throw new Error('usage: arms.mjs <arm> <bench log>… [<arm> <bench log>…]');

/** Each run's rate by set-up, from a log's `run i/n <scenario> <set-up> … {result}` lines. */
function runsOf(file) {
  const runs = new Map();
  let pending;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^run (\d+)\/\d+ (\S+) (\S+) … (.*)/);
    // A gateway run with node args may write between a run's name and its result.
    if (m) pending = { run: m[1], setup: m[3] };
    const rest = m ? m[4] : line;
    const at = rest.indexOf('{"brokerLoad"');
    if (pending && at >= 0) {
      const run = runs.get(pending.run) ?? {};
      run[pending.setup] = JSON.parse(rest.slice(at)).rate;
      runs.set(pending.run, run);
      pending = undefined;
    }
  }
  return [...runs.values()];
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const k = (x) => `${Math.round(x / 1000)}k`;

for (const [name, files] of arms) {
  const runs = files.flatMap(runsOf);
  const rates = (setup) => runs.map((r) => r[setup]).filter((x) => x !== undefined);
  const pairs = runs.filter((r) => r['gateway-cluster'] && r.gateway).map((r) => r['gateway-cluster'] / r.gateway);
  const setups = ['gateway-cluster', 'gateway', 'gateway-kafka-twin'].filter((s) => rates(s).length > 0);
  const each = setups.map((s) => `${s} ${k(mean(rates(s)))} ± ${k(spread(rates(s)))}`).join(', ');
  const ratio = pairs.length ? `c/g median ${median(pairs).toFixed(3)}, mean ${mean(pairs).toFixed(3)} ± ${(spread(pairs) / Math.sqrt(pairs.length)).toFixed(3)}` : 'no pairs';
  console.log(`${name}: ${pairs.length} pairs; ${ratio}; ${each}`);
}
