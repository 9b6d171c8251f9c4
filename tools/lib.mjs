// Helpers shared by the npm scripts in tools/: run a command, read the infra variables.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command with inherited output; exits this process with its code if it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

/** Brings the local infrastructure up (idempotent) and returns its connection variables. */
export function infraUp(env = {}) {
  run('bash', ['deploy/local/infra.sh', 'up'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  return infraLines('env', env);
}

/** The infrastructure's process ids by name (`postgres`, `redis`, `kafka`), of those running. */
export function infraPids(env = {}) {
  return Object.fromEntries(Object.entries(infraLines('pids', env)).map(([name, pid]) => [name, Number(pid)]));
}

/** What `infra.sh <command>` prints as `NAME=value` lines. */
function infraLines(command, env) {
  const out = spawnSync('bash', ['deploy/local/infra.sh', command], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return Object.fromEntries(
    out.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * Where the benchmarks run their PostgreSQL, Redis and Kafka: an infrastructure of their
 * own beside the local one. Benchmarks write millions of records to the platform's topics;
 * on the shared infrastructure the platform's consumer groups (the e2e suites', a local
 * cluster's) woke up to that backlog and fell minutes behind. Stop it with
 * `IOT_INFRA_DIR=/tmp/iot-platform-bench-infra bash deploy/local/infra.sh down`. (Ports and
 * retention take effect when it starts.)
 */
export const BENCH_INFRA = {
  IOT_INFRA_DIR: '/tmp/iot-platform-bench-infra',
  IOT_PG_PORT: '15432',
  IOT_REDIS_PORT: '16379',
  IOT_KAFKA_PORT: '19092',
  IOT_KAFKA_CONTROLLER_PORT: '19093',
  // A run writes gigabytes (the QoS 1 flood alone ~9 MB/s into Kafka): with a day's
  // retention the bench broker's log grew to 25 GB in an afternoon of runs.
  IOT_KAFKA_RETENTION_MINUTES: '10',
  IOT_KAFKA_SEGMENT_MB: '64',
};

/** Builds projects through Nx (cached: unchanged projects are not rebuilt). */
export function build(projects) {
  run('npx', ['nx', 'run-many', '-t', 'build', '--projects', projects.join(','), '--output-style=stream-without-prefixes'], {
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
}

/** Path of an app's built entry point. */
export const entryOf = (app) => resolve(root, `dist/apps/${app}/apps/${app}/src/main.js`);

/**
 * Starts a long-running child with its output prefixed, and forwards SIGINT/SIGTERM to
 * every child so Ctrl-C drains them all.
 */
export function supervise(children) {
  const running = new Set();
  for (const { name, command, args, env } of children) {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const prefix = (stream, out) => {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const line of lines) out.write(`[${name}] ${line}\n`);
      });
    };
    prefix(child.stdout, process.stdout);
    prefix(child.stderr, process.stderr);
    child.on('exit', (code, signal) => {
      running.delete(child);
      console.error(`[${name}] exited (${code ?? signal})`);
      if (running.size === 0) process.exit(0);
      if (!stopping && code !== 0) stop('SIGTERM'); // one service died: bring the rest down too
    });
  }
  let stopping = false;
  const stop = (signal) => {
    stopping = true;
    for (const child of running) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
