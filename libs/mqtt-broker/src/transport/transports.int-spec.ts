import { execFile } from 'node:child_process';
import { AddressInfo, Server } from 'node:net';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { eventually } from '../../test/broker-harness';
import { selfSignedCertificate } from '../../test/tls-fixture';
import { Broker } from '../broker';
import { defaultHooks } from '../hooks';
import { listenTcp } from './tcp-listener';
import { listenTls } from './tls-listener';
import { listenWebSocket } from './websocket-listener';

const run = promisify(execFile);
const portOf = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

/** One broker behind TCP, TLS, WebSocket and WSS at once: any client reaches any other. */
describe('transports', () => {
  const tls = selfSignedCertificate();
  let broker: Broker;
  const servers: { close(cb?: () => void): unknown }[] = [];
  let ports: { tcp: number; tls: number; ws: number; wss: number };
  const clients: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    broker = new Broker({ hooks: defaultHooks({ allowAnonymous: true }) });
    const tcp = await listenTcp(broker, 0, '127.0.0.1');
    const secure = await listenTls(broker, 0, '127.0.0.1', tls);
    const ws = await listenWebSocket(broker, 0, '127.0.0.1');
    const wss = await listenWebSocket(broker, 0, '127.0.0.1', { tls });
    servers.push(tcp as Server, secure, ws, wss);
    ports = { tcp: portOf(tcp), tls: portOf(secure), ws: portOf(ws), wss: portOf(wss) };
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    broker.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  });

  const connect = async (url: string, options: mqtt.IClientOptions = {}) => {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ca: tls.cert, ...options });
    clients.push(client);
    return client;
  };

  it.each([
    ['tcp', () => `mqtt://127.0.0.1:${ports.tcp}`],
    ['tls', () => `mqtts://127.0.0.1:${ports.tls}`],
    ['ws', () => `ws://127.0.0.1:${ports.ws}/mqtt`],
    ['wss', () => `wss://127.0.0.1:${ports.wss}/mqtt`],
  ])('should carry MQTT 5.0 and 3.1.1 over %s', async (name, url) => {
    const received: string[] = [];
    const tcpSub = await connect(`mqtt://127.0.0.1:${ports.tcp}`, { protocolVersion: 5 });
    tcpSub.on('message', (_t, payload) => received.push(payload.toString()));
    await tcpSub.subscribeAsync(`via/${name}`, { qos: 1 });
    for (const protocolVersion of [4, 5] as const) {
      const client = await connect(url(), { protocolVersion });
      await client.publishAsync(`via/${name}`, `${name} v${protocolVersion}`, { qos: 1 });
    }
    await eventually(() => expect(received).toEqual([`${name} v4`, `${name} v5`]));
  });

  it('should accept mosquitto_pub over TLS with the CA file', async () => {
    const sub = await connect(`mqtts://127.0.0.1:${ports.tls}`);
    const got = new Promise<string>((resolve) => sub.once('message', (_t, payload) => resolve(payload.toString())));
    await sub.subscribeAsync('mosquitto/tls', { qos: 1 });
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(ports.tls), '--cafile', tls.certFile, '-V', 'mqttv5', '-q', '1', '-t', 'mosquitto/tls', '-m', 'secure']);
    expect(await got).toBe('secure');
  });

  it('should refuse a TLS client that does not trust the certificate, and keep serving', async () => {
    const refused = await mqtt.connectAsync(`mqtts://127.0.0.1:${ports.tls}`, { reconnectPeriod: 0, connectTimeout: 3_000 }).catch((error) => error);
    expect(String(refused)).toMatch(/self[- ]signed certificate/i);
    await expect(connect(`mqtts://127.0.0.1:${ports.tls}`)).resolves.toBeDefined();
  });

  it('should answer a plain HTTP request on the WebSocket port with 426', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.ws}/mqtt`);
    expect(res.status).toBe(426);
  });
});
