import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { ServiceProcess, eventually, freePort } from '@iot/testing';
import { deviceAclFlow } from './device-acl-flow';
import { deviceAuthFlow } from './device-auth-flow';
import { deviceCommandsFlow } from './device-commands-flow';
import { deviceBatchFlow } from './device-batch-flow';
import { deviceMessagesFlow } from './device-messages-flow';
import { deviceStatsFlow } from './device-stats-flow';
import { propertiesWithoutExample } from './openapi-examples';

/** `npm start`: the whole platform in one process, with nothing installed. */
describe('standalone mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'iot-standalone-'));
  const operatorKey = 'standalone-e2e-operator-key';
  let port: number;
  let mqttPort: number;
  let wsPort: number;
  let base: string;
  let proc: ServiceProcess | undefined;

  beforeAll(async () => {
    port = await freePort();
    mqttPort = await freePort();
    wsPort = await freePort();
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await proc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Deliberately no Kafka, Redis or PostgreSQL variables: standalone must not need them.
  const start = () =>
    ServiceProcess.start('standalone', {
      HTTP_PORT: String(port),
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(wsPort),
      MQTT_ALLOW_ANONYMOUS: 'true',
      MQTT_STATS_INTERVAL_MS: '500',
      DEVICE_MESSAGE_SWEEP_MS: '500',
      DATABASE_URL: `pglite://${dataDir}`,
      IOT_OPERATOR_KEY: operatorKey,
    });
  const auth = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };

  it('should become ready with the in-process bus, memory state and the embedded database, and print its port', async () => {
    proc = start();
    await proc.waitReady(`${base}/health/ready`);
    const ready = (await (await fetch(`${base}/health/ready`)).json()) as { details: unknown };
    expect(ready.details).toEqual({ bus: { status: 'up' }, state: { status: 'up' }, database: { status: 'up' } });
    expect(proc.output).toContain(`HTTP on http://127.0.0.1:${port}`);
    expect(proc.output).toContain(`MQTT on tcp://0.0.0.0:${mqttPort}`);
    expect(proc.output).toContain(`MQTT on ws://0.0.0.0:${wsPort}/mqtt`);
    expect(proc.output).toContain('TLS and WSS listeners off (set MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE)');
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

  it('should serve MQTT: mosquitto_pub to an MQTT.js subscriber, counted in the metrics', async () => {
    // The subscriber comes in over WebSocket, the publisher over TCP.
    const sub = await mqtt.connectAsync(`ws://127.0.0.1:${wsPort}/mqtt`, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      const got = new Promise<string>((resolve) => sub.once('message', (_topic, payload) => resolve(payload.toString())));
      await sub.subscribeAsync('e2e/standalone', { qos: 1 });
      await promisify(execFile)('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-V', 'mqttv311', '-q', '1', '-t', 'e2e/standalone', '-m', 'over MQTT']);
      expect(await got).toBe('over MQTT');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/iot_mqtt_messages_received_total\{qos="1",service="standalone",node="[^"]+"\} 1/);
      expect(metrics).toMatch(/iot_mqtt_connections\{service="standalone",node="[^"]+"\} [12]/);
    } finally {
      await sub.endAsync();
    }
  });

  it('should enforce ACL rules made over REST on publish and subscribe, and keep projects apart', async () => {
    await deviceAclFlow({ commandUrl: base, registryUrl: base, mqttUrls: [`mqtt://127.0.0.1:${mqttPort}`], operatorKey, projectId: 'standalone-acl' });
  });

  it('should authenticate devices with their registry credentials and disconnect them when those change', async () => {
    await deviceAuthFlow({ registryUrl: base, mqttUrls: [`mqtt://127.0.0.1:${mqttPort}`], operatorKey, projectId: 'standalone-auth', anonymousAllowed: true });
  });

  it('should run synchronous commands and property set/get against simulated devices', async () => {
    await deviceCommandsFlow({ registryUrl: base, commandUrls: [base], mqttUrls: [`mqtt://127.0.0.1:${mqttPort}`], operatorKey, projectId: 'standalone-cmd' });
  });

  it('should deliver device messages at once or once the device connects (across a restart), and time them out', async () => {
    const restart = async () => {
      await proc!.stop();
      proc = start();
      await proc.waitReady(`${base}/health/ready`);
    };
    await deviceMessagesFlow({ registryUrl: base, commandUrl: base, mqttUrls: [`mqtt://127.0.0.1:${mqttPort}`], operatorKey, projectId: 'standalone-msg', restart });
  });

  it('should run a batch task over 1,000 simulated devices and count every outcome', async () => {
    await deviceBatchFlow({ registryUrl: base, commandUrl: base, mqttUrls: [`mqtt://127.0.0.1:${mqttPort}`], operatorKey, projectId: 'standalone-batch' });
  }, 240_000);

  it('should report statistics of the project and of the whole platform', async () => {
    await deviceStatsFlow({ registryUrl: base, mqttUrls: [`mqtt://127.0.0.1:${mqttPort}`], operatorKey, projectId: 'standalone-stats' });
  });

  it('should serve the OpenAPI document at /api/docs', async () => {
    expect((await fetch(`${base}/api/docs`)).status).toBe(200);
    const doc = (await (await fetch(`${base}/api/docs-json`)).json()) as Parameters<typeof propertiesWithoutExample>[0];
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/projects', '/api/v1/projects/{projectId}', '/api/v1/stats', '/api/v1/projects/{projectId}/stats', '/health/ready']));
    // Every field of every request and response body shows an example.
    expect(propertiesWithoutExample(doc)).toEqual([]);
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
    const otherMqtt = await freePort();
    const other = ServiceProcess.start('standalone', { HTTP_PORT: String(otherPort), MQTT_PORT: String(otherMqtt), MQTT_WS_PORT: '0', DATABASE_URL: 'pglite://memory' });
    try {
      await other.waitReady(`http://127.0.0.1:${otherPort}/health/ready`);
      const key = /operator key for this run[^:]*: (\S+?)"/.exec(other.output)?.[1];
      expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const res = await fetch(`http://127.0.0.1:${otherPort}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      // Secure by default: without MQTT_ALLOW_ANONYMOUS, a client without credentials is refused.
      const refused = await mqtt.connectAsync(`mqtt://127.0.0.1:${otherMqtt}`, { reconnectPeriod: 0 }).catch((error: { code?: number }) => error);
      expect((refused as { code?: number }).code).toBe(5);
    } finally {
      await other.stop();
    }
  });
});
