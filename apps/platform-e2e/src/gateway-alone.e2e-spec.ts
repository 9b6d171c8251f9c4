import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { ServiceProcess, freePort } from '@iot/testing';

/** `npm run start:gateway`: the gateway with in-process adapters, no Kafka or Redis needed. */
describe('gateway alone (BUS_DRIVER=in-process, STATE_DRIVER=memory)', () => {
  let proc: ServiceProcess;
  let http: number;
  let port: number;

  beforeAll(async () => {
    [http, port] = [await freePort(), await freePort()];
    proc = ServiceProcess.start('mqtt-gateway', {
      HTTP_PORT: String(http),
      MQTT_PORT: String(port),
      MQTT_WS_PORT: '0',
      BUS_DRIVER: 'in-process',
      STATE_DRIVER: 'memory',
      MQTT_ALLOW_ANONYMOUS: 'true',
      // Deliberately unreachable: the in-process drivers must not touch them.
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    await proc.waitReady(`http://127.0.0.1:${http}/health/ready`);
  });

  afterAll(async () => {
    await proc.stop();
  });

  it('should route between mosquitto_pub and an MQTT.js subscriber', async () => {
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    try {
      const got = new Promise<string>((resolve) => sub.once('message', (_t, payload) => resolve(payload.toString())));
      await sub.subscribeAsync('alone/+', { qos: 1 });
      await promisify(execFile)('mosquitto_pub', ['-p', String(port), '-h', '127.0.0.1', '-V', 'mqttv5', '-q', '1', '-t', 'alone/x', '-m', 'no kafka needed']);
      expect(await got).toBe('no kafka needed');
    } finally {
      await sub.endAsync();
    }
  });

  it('should tell 5.0 clients the server is shutting down (0x8B) on SIGTERM', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, protocolVersion: 5 });
    const reason = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    const stopped = await proc.stop();
    expect(stopped.code === 0 || stopped.signal === 'SIGTERM').toBe(true);
    expect(await reason).toBe(0x8b);
    await client.endAsync(true);
  });
});
