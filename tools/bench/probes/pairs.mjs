// `node tools/bench/probes/pairs.mjs <bench log>…`: the cluster table's runs pair by pair, from the
// run lines `npm run bench:mqtt -- --cluster-only --only <scenario> --no-docs` writes on stderr:
// each set-up's rate and broker load, cluster ÷ bare in memory and ÷ in memory beside the Kafka
// twin, the bench Kafka's CPU load in each, and their medians (docs/benchmarks.md, "Looking into a scenario").
import { readFileSync } from 'node:fs';
const runs = {};
for (const f of process.argv.slice(2)) {
  // A gateway run with node args writes its logs to the same stderr: a log line may follow
  // the run's "run i/n …" before its result, which then starts a line of its own.
  let pending;
  for (const l of readFileSync(f, 'utf8').split('\n')) {
    const m = l.match(/^run (\d+)\/\d+ (\S+) (\S+) … (.*)/);
    // A run measured again for steal says so before its result: `… (steal …: again) … {…}`.
    const json = m ? m[4].slice(Math.max(0, m[4].indexOf('{"brokerLoad"'))) : l;
    if (m) pending = [f + m[1], m[3]];
    if (pending && json.startsWith('{"brokerLoad"')) {
      (runs[pending[0]] ??= {})[pending[1]] = JSON.parse(json);
      pending = undefined;
    }
  }
}
const med = (x) => { const s = [...x].sort((p, q) => p - q); const k = s.length >> 1; return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2; };
const rows = Object.values(runs).filter((r) => r['gateway-cluster'] && r.gateway);
const c = (r) => r['gateway-cluster'], g = (r) => r.gateway, t = (r) => r['gateway-kafka-twin'];
for (const r of rows) console.log(Math.round(c(r).rate), Math.round(g(r).rate), t(r) ? Math.round(t(r).rate) : '-', 'load', c(r).brokerLoad.toFixed(2), g(r).brokerLoad.toFixed(2), t(r)?.brokerLoad.toFixed(2), 'c/g', (c(r).rate / g(r).rate).toFixed(2), 'c/t', t(r) ? (c(r).rate / t(r).rate).toFixed(2) : '-', 'twinLoad', t(r)?.twinLoad?.toFixed(2), 'kafka c g t', c(r).kafkaLoad?.toFixed(2), g(r).kafkaLoad?.toFixed(2), t(r)?.kafkaLoad?.toFixed(2));
console.log('n', rows.length, 'median c/g', med(rows.map((r) => c(r).rate / g(r).rate)).toFixed(3), 'median c/t', med(rows.filter(t).map((r) => c(r).rate / t(r).rate)).toFixed(3));
console.log('median loads c g t', med(rows.map((r) => c(r).brokerLoad)).toFixed(3), med(rows.map((r) => g(r).brokerLoad)).toFixed(3), med(rows.filter(t).map((r) => t(r).brokerLoad)).toFixed(3));
