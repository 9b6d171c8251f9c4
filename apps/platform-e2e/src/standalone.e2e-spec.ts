import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, eventually, freePort } from '@iot/testing';

/** `npm start`: the whole platform in one process, with nothing installed. */
describe('standalone mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'iot-standalone-'));
  const operatorKey = 'standalone-e2e-operator-key';
  let port: number;
  let base: string;
  let proc: ServiceProcess | undefined;

  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await proc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Deliberately no Kafka, Redis or PostgreSQL variables: standalone must not need them.
  const start = () => ServiceProcess.start('standalone', { HTTP_PORT: String(port), DATABASE_URL: `pglite://${dataDir}`, IOT_OPERATOR_KEY: operatorKey });
  const auth = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };

  it('should become ready with the in-process bus, memory state and the embedded database, and print its port', async () => {
    proc = start();
    await proc.waitReady(`${base}/health/ready`);
    const ready = (await (await fetch(`${base}/health/ready`)).json()) as { details: unknown };
    expect(ready.details).toEqual({ bus: { status: 'up' }, state: { status: 'up' }, database: { status: 'up' } });
    expect(proc.output).toContain(`HTTP on http://127.0.0.1:${port}`);
    const startLine = proc.output.split('\n').find((line) => line.includes('standalone started'));
    expect(JSON.parse(startLine!)).toMatchObject({ level: 'info', service: 'standalone' }); // JSON logs
  });

  it('should serve the registry API and carry its events to the gateway module in-process', async () => {
    const res = await fetch(`${base}/api/v1/projects`, { method: 'POST', headers: auth, body: JSON.stringify({ id: 'standalone-e2e', name: 'E2E' }) });
    expect(res.status).toBe(201);
    await eventually(async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/iot_gateway_registry_changes_total\{change="created",service="standalone",node="[^"]+"\} 1/);
    });
  });

  it('should serve the OpenAPI document at /api/docs', async () => {
    expect((await fetch(`${base}/api/docs`)).status).toBe(200);
    const doc = (await (await fetch(`${base}/api/docs-json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/projects', '/api/v1/projects/{projectId}', '/health/ready']));
  });

  it('should stop on SIGTERM and keep its data across a restart', async () => {
    const stopped = await proc!.stop();
    expect(stopped.ms).toBeLessThan(10_000);
    expect(stopped.code === 0 || stopped.signal === 'SIGTERM').toBe(true);
    expect(proc!.output).toContain('shutting down');

    proc = start();
    await proc.waitReady(`${base}/health/ready`);
    const res = await fetch(`${base}/api/v1/projects/standalone-e2e`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'standalone-e2e', name: 'E2E' });
  });

  it('should generate and print an operator key when none is configured', async () => {
    const otherPort = await freePort();
    const other = ServiceProcess.start('standalone', { HTTP_PORT: String(otherPort), DATABASE_URL: 'pglite://memory' });
    try {
      await other.waitReady(`http://127.0.0.1:${otherPort}/health/ready`);
      const key = /operator key for this run[^:]*: (\S+?)"/.exec(other.output)?.[1];
      expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const res = await fetch(`http://127.0.0.1:${otherPort}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    } finally {
      await other.stop();
    }
  });
});
