import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import mqtt, { MqttClient } from 'mqtt';
import { BusRecord, GatewayClientEvent, Topics, decodeDeviceMessages, decodeRecord } from '@iot/contracts';
import { ServiceProcess, eventually, freePort, testInfra } from '@iot/testing';

const run = promisify(execFile);
const INFRA = join(__dirname, '../../../deploy/local/infra.sh');
/** infra.sh waits up to 30 s for Kafka to stop and up to 120 s for it to start. */
const KAFKA_COMMAND_MS = 150_000;
/** What the gateway gets for each of its steps after Kafka is back. */
const GATEWAY_PHASE_MS = 60_000;

/**
 * The uplink against a Kafka broker of its own (so stopping it disturbs no other suite):
 * device messages and client events reach Kafka, and a Kafka outage during a publish load
 * loses none of the QoS 1 messages the gateway accepted.
 */
describe('gateway uplink to Kafka', () => {
  const id = randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), `iot-uplink-kafka-${id}-`));
  let kafkaEnv: Record<string, string>;
  let brokers: string;
  let gateway: ServiceProcess;
  let ports: { http: number; mqtt: number };
  let consumer: Consumer;
  const records: BusRecord[] = [];
  const clients: MqttClient[] = [];

  /** Stops or starts this suite's broker; resolves to how long it took (infra.sh bounds both). */
  const kafka = async (command: 'kafka-up' | 'kafka-down'): Promise<number> => {
    const started = Date.now();
    await run('bash', [INFRA, command], { env: { ...process.env, ...kafkaEnv }, timeout: KAFKA_COMMAND_MS });
    return Date.now() - started;
  };
  /**
   * Fails with what the gateway logged when `promise` is not settled within `ms`: a stuck
   * uplink then says where it stuck instead of running into the test's timeout.
   */
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms; the gateway logged:\n${gateway.output.slice(-6000)}`)), ms).unref()),
    ]);

  beforeAll(async () => {
    const kafkaPort = await freePort();
    kafkaEnv = { IOT_INFRA_DIR: dir, IOT_KAFKA_PORT: String(kafkaPort), IOT_KAFKA_CONTROLLER_PORT: String(await freePort()) };
    brokers = `127.0.0.1:${kafkaPort}`;
    await kafka('kafka-up');
    ports = { http: await freePort(), mqtt: await freePort() };
    gateway = ServiceProcess.start('mqtt-gateway', {
      HTTP_PORT: String(ports.http),
      MQTT_PORT: String(ports.mqtt),
      MQTT_HOST: '127.0.0.1',
      MQTT_WS_PORT: '0',
      MQTT_ALLOW_ANONYMOUS: 'true',
      // Small, so the outage below fills it and QoS 1 publishers are held.
      MQTT_UPLINK_BUFFER: '200',
      KAFKA_BROKERS: brokers,
      REDIS_URL: testInfra.redisUrl,
      NODE_ID: `e2e-uplink-${id}`,
      LOG_LEVEL: 'warn',
    });
    await gateway.waitReady(`http://127.0.0.1:${ports.http}/health/ready`, 90_000);
    const client = new Kafka({ brokers: [brokers], clientId: `uplink-e2e-${id}`, logLevel: logLevel.NOTHING });
    consumer = client.consumer({ groupId: `uplink-e2e-${id}` });
    await consumer.connect();
    // The gateway creates its topics on first use; make sure they exist before subscribing.
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: Topics.GatewayDeviceMessageV1 }, { topic: Topics.GatewayClientEventV1 }], waitForLeaders: true }).catch(() => undefined);
    await admin.disconnect();
    await consumer.subscribe({ topics: [Topics.GatewayDeviceMessageV1, Topics.GatewayClientEventV1], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        records.push({ topic, key: message.key?.toString() ?? null, value: message.value, headers });
      },
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await consumer?.disconnect().catch(() => undefined);
    await gateway?.stop();
    await kafka('kafka-down').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const connect = async (clientId: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { clientId, reconnectPeriod: 0, protocolVersion: 5 });
    clients.push(client);
    return client;
  };
  const deviceMessages = () => records.filter((r) => r.topic === Topics.GatewayDeviceMessageV1).flatMap((r) => decodeDeviceMessages(r).map((m) => ({ ...m, key: r.key })));
  const clientEvents = () => records.filter((r) => r.topic === Topics.GatewayClientEventV1).map((r) => decodeRecord(GatewayClientEvent, r));

  it('should report device messages with their metadata, keyed by device, and client events', async () => {
    const device = await connect(`meter-${id}`);
    await device.subscribeAsync(`meters/${id}/cmd`, { qos: 1 });
    await device.publishAsync(`meters/${id}/telemetry`, '{"kwh":1.5}', { qos: 1, properties: { contentType: 'application/json', userProperties: { unit: 'kWh' } } });
    await eventually(() => {
      const found = deviceMessages().find((m) => m.meta.clientId === `meter-${id}`);
      expect(found).toBeDefined();
      expect(found!.payload.toString()).toBe('{"kwh":1.5}');
      expect(found!.key).toBe(`default/meter-${id}`);
      expect(found!.meta).toMatchObject({ projectId: 'default', topic: `meters/${id}/telemetry`, qos: 1, retain: false, contentType: 'application/json', node: `e2e-uplink-${id}` });
      expect(found!.meta.userProperties).toEqual({ unit: 'kWh' });
    }, 30_000);
    await device.endAsync();
    await eventually(() => {
      const types = clientEvents()
        .filter((e) => e.clientId === `meter-${id}`)
        .map((e) => e.type);
      expect(types).toEqual(['connected', 'subscribed', 'disconnected']);
    }, 30_000);
  }, 60_000);

  it('should get every accepted QoS 1 message into Kafka across a Kafka outage, holding publishers while its buffer is full', async () => {
    const publisher = await connect(`outage-${id}`);
    const acked: number[] = [];
    const total = 1_000;
    let next = 0;
    let stop = false;
    // A steady load: 10 publishes in flight at a time.
    const load = Promise.all(
      Array.from({ length: 10 }, async () => {
        while (!stop && next < total) {
          const n = next++;
          await publisher.publishAsync(`outage/${id}`, String(n), { qos: 1 });
          acked.push(n);
        }
      }),
    );
    await eventually(() => expect(acked.length).toBeGreaterThan(100), 20_000);
    const timings = [`down ${await kafka('kafka-down')} ms`];
    const ackedAtOutage = acked.length;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    // The buffer (200) filled: the gateway held the publisher instead of acknowledging more.
    expect(acked.length - ackedAtOutage).toBeLessThanOrEqual(200 + 10);
    timings.push(`up ${await kafka('kafka-up')} ms`);
    // Once Kafka is back the gateway's part is bounded on its own (the broker's restart
    // time is not the gateway's): the held publisher finishes, every message is in Kafka.
    await within(load, GATEWAY_PHASE_MS, `the held publisher finishing after Kafka came back (${timings.join(', ')})`);
    stop = true;
    expect(acked.length).toBe(total);
    await eventually(() => {
      const inKafka = new Set(deviceMessages().filter((m) => m.meta.clientId === `outage-${id}`).map((m) => Number(m.payload.toString())));
      const missing = acked.filter((n) => !inKafka.has(n));
      expect(missing).toEqual([]);
    }, GATEWAY_PHASE_MS);
    // Per-device order holds: the device's messages are in Kafka in the order it sent them
    // (first sightings: this test's consumer reads some records twice across the restart).
    const order = [...new Set(deviceMessages().filter((m) => m.meta.clientId === `outage-${id}`).map((m) => Number(m.payload.toString())))];
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }, 30_000 + 2 * KAFKA_COMMAND_MS + 2 * GATEWAY_PHASE_MS);
});
