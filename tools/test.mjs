// `npm test`: the one test command (README, CI). Brings the local infrastructure up if it is
// not running, checks types and lint, builds the services, then runs the unit, integration
// and end-to-end tiers against the real Kafka, Redis and PostgreSQL. Extra arguments go to Jest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { build, infraUp, root, run } from './lib.mjs';

const started = Date.now();
const step = (what) => console.log(`\n=== ${what} (${Math.round((Date.now() - started) / 1000)} s)`);

step('infrastructure');
const infra = infraUp();
const env = {
  ...process.env,
  KAFKA_BROKERS: infra.KAFKA_BROKERS,
  REDIS_URL: infra.REDIS_URL,
  TEST_DATABASE_URL: infra.TEST_DATABASE_URL,
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
};

step('typecheck');
run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { env });

step('lint');
// The module-boundary rule reads Nx's project graph; computing it first makes sure the rule
// runs on a fresh clone instead of being skipped for want of a cached graph.
run('npx', ['nx', 'show', 'projects'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
run('npx', ['eslint', '--max-warnings=0', '.'], { env });

step('build');
build(['standalone', 'device-registry', 'mqtt-gateway', 'command-service', 'rule-service']);

step('jest: unit, integration, e2e');
mkdirSync(`${root}/tmp`, { recursive: true });
const results = `${root}/tmp/jest-results.json`;
// PGlite (the embedded database) loads its WebAssembly with a dynamic import, which Jest's
// module sandbox allows only with VM modules enabled.
const jestEnv = { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() };
// Unit and integration specs run three at a time; the e2e suites one at a time: each starts a
// whole platform (the cluster suite: two gateways, two command services, 1,000 simulated
// devices), and two at once on a two-core machine starved each other past their timeouts.
// Arguments (e.g. `-- --selectProjects e2e --testPathPattern cluster`) make one run of those.
const passes = process.argv.length > 2 ? [['--maxWorkers=3', ...process.argv.slice(2)]] : [['--selectProjects', 'unit', 'integration', '--maxWorkers=3'], ['--selectProjects', 'e2e', '--maxWorkers=1']];
const totals = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, testResults: [] };
let status = 0;
let summary;
for (const [i, args] of passes.entries()) {
  const file = `${root}/tmp/jest-results-${i + 1}.json`;
  const jest = spawnSync('npx', ['jest', '--json', `--outputFile=${file}`, ...args], { cwd: root, env: jestEnv, stdio: 'inherit' });
  if (jest.status !== 0) status = jest.status ?? 1;
  try {
    const pass = JSON.parse(readFileSync(file, 'utf8'));
    for (const key of ['numPassedTests', 'numFailedTests', 'numPendingTests']) totals[key] += pass[key];
    totals.testResults.push(...pass.testResults);
  } catch {
    summary = 'no test results were written';
    status ||= 1;
  }
}
writeFileSync(results, JSON.stringify(totals));
const { numPassedTests, numFailedTests, numPendingTests } = totals;
summary ??= `${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`;
step('done');
console.log(summary);
process.exit(status);
