import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { BrokerHarness, eventually, inbox } from '../test/broker-harness';

const run = promisify(execFile);

/** Debian's mosquitto clients against our broker core: a second, independent implementation. */
describe('interoperability with mosquitto_pub / mosquitto_sub', () => {
  let h: BrokerHarness;

  beforeAll(async () => {
    h = await BrokerHarness.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  describe.each(['mqttv311', 'mqttv5'])('%s', (version) => {
    it('should deliver a mosquitto_pub message to an MQTT.js subscriber at QoS 1 and 2', async () => {
      const sub = await h.connect({ protocolVersion: 5 });
      const got = inbox(sub);
      await sub.subscribeAsync(`interop/${version}/#`, { qos: 2 });
      for (const qos of ['1', '2']) {
        await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(h.port), '-V', version, '-q', qos, '-t', `interop/${version}/q${qos}`, '-m', `hello ${qos}`]);
      }
      await eventually(() => expect(got.map((m) => [m.topic, m.payload, m.packet.qos])).toEqual([
        [`interop/${version}/q1`, 'hello 1', 1],
        [`interop/${version}/q2`, 'hello 2', 2],
      ]));
    });

    it('should deliver to mosquitto_sub, retained and live', async () => {
      const pub = await h.connect({ protocolVersion: 4 });
      await pub.publishAsync(`interop/${version}/retained`, 'kept', { qos: 1, retain: true });
      const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(h.port), '-V', version, '-q', '1', '-t', `interop/${version}/+`, '-C', '2', '-W', '10', '-v']);
      let output = '';
      sub.stdout.on('data', (chunk) => (output += chunk));
      await eventually(() => expect(output).toContain('kept'));
      await pub.publishAsync(`interop/${version}/live`, 'fresh', { qos: 1 });
      const code = await new Promise((resolve) => sub.once('exit', resolve));
      expect(code).toBe(0);
      expect(output.trim().split('\n')).toEqual([`interop/${version}/retained kept`, `interop/${version}/live fresh`]);
    });
  });

  it('should refuse mosquitto_pub without credentials when anonymous access is off', async () => {
    const closed = await BrokerHarness.start({ hooks: { ...(await import('./hooks')).defaultHooks({ allowAnonymous: false }) } });
    try {
      const result = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(closed.port), '-V', 'mqttv5', '-t', 't', '-m', 'x']).catch((error) => error);
      expect(result.code).not.toBe(0);
      expect(String(result.stderr)).toMatch(/not authori[sz]ed/i);
    } finally {
      await closed.stop();
    }
  });
});
