// `npm run bench:commands [-- --devices 10000 --seconds 10 --no-docs]`
// Synchronous commands end to end in cluster mode — REST → command service → Kafka → gateway →
// device → gateway → Kafka → command service → REST — against the local infrastructure:
// round trips per second with p50/p99 latency, one caller and sixteen callers at a time, and
// the time a batch task takes over N simulated devices (MQTT.js clients answering every
// command). Prints a table and writes it to docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { BENCH_INFRA, build, entryOf, infraUp, root, run } from '../lib.mjs';

const { values } = parseArgs({ options: { devices: { type: 'string', default: '10000' }, seconds: { type: 'string', default: '10' }, 'no-docs': { type: 'boolean', default: false } } });
const DEVICES = Number(values.devices);
const SECONDS = Number(values.seconds);
const OPERATOR_KEY = `bench-operator-key-${process.pid}-0123`;
const runId = `${Date.now().toString(36)}`;
const projectId = `bench-${runId}`;

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

const infra = infraUp(BENCH_INFRA);
const apps = ['device-registry', 'command-service', 'mqtt-gateway'];
build(apps);
const shared = { PATH: process.env.PATH, KAFKA_BROKERS: infra.KAFKA_BROKERS, REDIS_URL: infra.REDIS_URL, DATABASE_URL: infra.DATABASE_URL, IOT_OPERATOR_KEY: OPERATOR_KEY, LOG_LEVEL: 'warn' };
for (const app of ['device-registry', 'command-service']) run(process.execPath, [entryOf(app), 'migrate'], { env: { ...process.env, ...shared } });

const ports = { registry: await freePort(), commands: await freePort(), gatewayHttp: await freePort(), mqtt: await freePort() };
const procs = [
  spawn(process.execPath, [entryOf('device-registry')], { env: { ...shared, HTTP_PORT: String(ports.registry), NODE_ID: `bench-registry-${runId}`, IOT_PASSWORD_HASH_COST: '10' }, stdio: ['ignore', 'ignore', 'inherit'] }),
  spawn(process.execPath, [entryOf('command-service')], { env: { ...shared, HTTP_PORT: String(ports.commands), NODE_ID: `bench-commands-${runId}`, BATCH_TASK_CONCURRENCY: '100' }, stdio: ['ignore', 'ignore', 'inherit'] }),
  spawn(process.execPath, [entryOf('mqtt-gateway')], { env: { ...shared, HTTP_PORT: String(ports.gatewayHttp), MQTT_PORT: String(ports.mqtt), MQTT_WS_PORT: '0', NODE_ID: `bench-gateway-${runId}` }, stdio: ['ignore', 'ignore', 'inherit'] }),
];
const stopAll = () => Promise.all(procs.map((p) => new Promise((resolve) => (p.exitCode !== null ? resolve() : (p.once('exit', resolve), p.kill('SIGTERM'))))));

const base = (port) => `http://127.0.0.1:${port}/api/v1`;
async function call(port, method, path, key, body) {
  const res = await globalThis.fetch(`${base(port)}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
async function inPool(items, limit, work) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => { while (next < items.length) await work(items[next++]); }));
}

const clients = [];
try {
  for (const port of [ports.registry, ports.commands, ports.gatewayHttp]) {
    for (let i = 0; ; i++) {
      if (await globalThis.fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error(`service on ${port} not ready`);
      await sleep(100);
    }
  }
  await call(ports.registry, 'POST', '/projects', OPERATOR_KEY, { id: projectId, name: projectId });
  const { key } = await call(ports.registry, 'POST', `/projects/${projectId}/api-keys`, OPERATOR_KEY, { name: 'bench' });
  const ids = Array.from({ length: DEVICES }, (_, i) => `${projectId}-${i}`);
  process.stderr.write(`registering and connecting ${DEVICES} devices … `);
  const started = Date.now();
  const passwords = new Map();
  await inPool(ids, 50, async (id) => {
    await call(ports.registry, 'POST', `/projects/${projectId}/devices`, key, { id });
    passwords.set(id, (await call(ports.registry, 'PUT', `/projects/${projectId}/devices/${id}/credentials`, key, {})).password);
  });
  // The gateway disconnects a device whose credentials change: let those announcements pass first.
  await sleep(3_000);
  await inPool(ids, 50, async (id) => {
    const password = passwords.get(id);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { username: id, password, clientId: `${id}-sim`, protocolVersion: 5, reconnectPeriod: 0, keepalive: 600 });
    const topic = `$oc/devices/${id}/sys`;
    client.on('message', (t, payload) => {
      if (t.includes('/response/')) return;
      const requestId = t.slice(t.lastIndexOf('request_id=') + 'request_id='.length);
      client.publish(`${topic}/commands/response/request_id=${requestId}`, JSON.stringify({ result_code: 0, paras: JSON.parse(payload.toString()).paras }), { qos: 1 });
    });
    await client.subscribeAsync(`${topic}/commands/#`, { qos: 1 });
    clients.push(client);
  });
  process.stderr.write(`${Date.now() - started} ms\n`);
  for (let i = 0; ; i++) {
    if ((await call(ports.registry, 'GET', `/projects/${projectId}/devices?status=online&limit=1`, key)).total === DEVICES) break;
    if (i > 600) throw new Error('devices not online');
    await sleep(100);
  }

  // Round trips: `callers` closed loops, each sending a command to its own device and waiting for the answer.
  const roundTrips = async (callers) => {
    const latencies = [];
    let failed = 0;
    const until = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: callers }, async (_, c) => {
      while (Date.now() < until) {
        const t0 = performance.now();
        try {
          await call(ports.commands, 'POST', `/projects/${projectId}/devices/${ids[c]}/commands`, key, { service_id: 'pump', command_name: 'ping', paras: { c } });
          latencies.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    }));
    latencies.sort((a, b) => a - b);
    return { rate: latencies.length / SECONDS, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failed };
  };
  await roundTrips(4); // warm-up: compiled paths, settled consumer groups
  const one = await roundTrips(1);
  const sixteen = await roundTrips(16);

  const batchStarted = Date.now();
  const { task_id } = await call(ports.commands, 'POST', `/projects/${projectId}/batch-tasks`, key, { task_name: 'bench', task_type: 'createCommands', targets: ids, document: { service_id: 'pump', command_name: 'ping', timeout_ms: 20_000 } });
  let task;
  for (;;) {
    await sleep(200);
    task = await call(ports.commands, 'GET', `/projects/${projectId}/batch-tasks/${task_id}?limit=1`, key);
    if (!['Initializing', 'Processing'].includes(task.status)) break;
  }
  const batchMs = Date.now() - batchStarted;

  const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
  const rows = [
    '| scenario | metric | result |',
    '|---|---|---:|',
    `| command round trips, 1 caller | per second | ${fmt(one.rate)} |`,
    `| command round trips, 1 caller | p50 / p99 latency ms | ${fmt(one.p50, 1)} / ${fmt(one.p99, 1)} |`,
    `| command round trips, 16 callers | per second | ${fmt(sixteen.rate)} |`,
    `| command round trips, 16 callers | p50 / p99 latency ms | ${fmt(sixteen.p50, 1)} / ${fmt(sixteen.p99, 1)} |`,
    `| batch task over ${fmt(DEVICES)} devices (100 at a time) | seconds to finish | ${fmt(batchMs / 1000, 1)} |`,
    `| batch task over ${fmt(DEVICES)} devices (100 at a time) | commands per second | ${fmt((DEVICES * 1000) / batchMs)} |`,
    `| batch task over ${fmt(DEVICES)} devices (100 at a time) | status; success / fail | ${task.status}; ${task.task_progress.success} / ${task.task_progress.fail} |`,
  ];
  const table = rows.join('\n');
  console.log(`\n${table}\n`);
  if (one.failed + sixteen.failed > 0) console.log(`failed round trips: ${one.failed + sixteen.failed}`);
  if (!values['no-docs']) {
    const marker = '<!-- bench:commands -->';
    const doc = readFileSync(join(root, 'docs/benchmarks.md'), 'utf8');
    const section = `${marker}\n_Last run: ${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model.split(' ').slice(0, 2).join(' ')}, ${cpus().length} cores, Node ${process.version}; one registry, command service and gateway, Kafka, Redis and PostgreSQL, and the ${fmt(DEVICES)} simulated devices all on this machine._\n\n${table}\n${marker}`;
    const [before, , after] = doc.split(marker);
    writeFileSync(join(root, 'docs/benchmarks.md'), after === undefined ? `${doc}\n## Commands (\`npm run bench:commands\`)\n\n${section}\n` : `${before}${section}${after}`);
  }
} finally {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await stopAll();
}
process.exit(0);
