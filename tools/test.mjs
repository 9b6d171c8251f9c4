// `npm test`: the one test command (README, CI). Brings the local infrastructure up if it is
// not running, checks types and lint, builds the services, then runs the unit, integration
// and end-to-end tiers against the real Kafka, Redis and PostgreSQL. Extra arguments go to Jest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
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
const jest = spawnSync('npx', ['jest', '--maxWorkers=3', '--json', `--outputFile=${results}`, ...process.argv.slice(2)], { cwd: root, env: jestEnv, stdio: 'inherit' });

let summary = 'no test results were written';
try {
  const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(results, 'utf8'));
  summary = `${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`;
} catch {
  // keep the message above
}
step('done');
console.log(summary);
process.exit(jest.status ?? 1);
