import { BrokerHarness, eventually, inbox } from '../test/broker-harness';
import { RawClient } from '../test/raw-client';
import { MemoryRetainedStore } from './storage/memory-retained-store';
import { MemorySessionStore } from './storage/memory-session-store';
import { SessionStore } from './storage/session-store';

/**
 * Two brokers sharing one session store and one retained store: what a cluster node does
 * when a client moves to it (the cluster wires handOver to a take-over request).
 */
describe('Broker session store and hand-over', () => {
  let sessions: MemorySessionStore;
  let a: BrokerHarness;
  let b: BrokerHarness;

  beforeEach(async () => {
    sessions = new MemorySessionStore();
    const retainedStore = new MemoryRetainedStore();
    a = await BrokerHarness.start({ sessionStore: sessions, retainedStore });
    b = await BrokerHarness.start({ sessionStore: sessions, retainedStore });
  });
  afterEach(async () => {
    await a.stop();
    await b.stop();
  });

  it('should resume on broker B a session handed over by broker A, with its subscriptions and the messages queued while offline', async () => {
    const device = await a.connect({ clientId: 'mover', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    await device.subscribeAsync('moves/#', { qos: 1 });
    await device.endAsync();
    const publisher = await a.connect();
    await publisher.publishAsync('moves/1', 'while offline', { qos: 1 });

    const before = a.broker.sessionCount;
    expect(await a.broker.handOver('default', 'mover', false)).toBe(true);
    expect(a.broker.sessionCount).toBe(before - 1);

    const { client, received, connack } = await b.connectWithInbox({ clientId: 'mover', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    expect(connack.sessionPresent).toBe(true);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['while offline']));
    const local = await b.connect();
    await local.publishAsync('moves/2', 'on b', { qos: 1 });
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['while offline', 'on b']));
    // Broker A no longer routes to it.
    await publisher.publishAsync('moves/3', 'on a', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(2);
    expect(client.connected).toBe(true);
  });

  it('should close the live connection with 0x8E when its session is handed over', async () => {
    const device = await a.connect({ clientId: 'live', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    const disconnect = new Promise<number | undefined>((resolve) => device.once('disconnect', (packet) => resolve(packet.reasonCode)));
    await a.broker.handOver('default', 'live', false);
    expect(await disconnect).toBe(0x8e);
    expect(a.broker.connectionCount).toBe(0);
    expect(await sessions.load('default', 'live')).toMatchObject({ clientId: 'live', expiryInterval: 300 });
  });

  it('should end the session instead when the new connection starts clean', async () => {
    const device = await a.connect({ clientId: 'fresh', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    await device.subscribeAsync('fresh/#', { qos: 1 });
    await device.endAsync();
    expect(await a.broker.handOver('default', 'fresh', true)).toBe(true);
    expect(await sessions.load('default', 'fresh')).toBeUndefined();
    const { connack } = await b.connectWithInbox({ clientId: 'fresh', clean: true, protocolVersion: 5 });
    expect(connack.sessionPresent).toBe(false);
  });

  it('should resume after a broker restart and redeliver an unacknowledged QoS 2 message exactly once', async () => {
    const first = await RawClient.connect(a.port, 4, { clientId: 'q2-restart', clean: false });
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'r/t', qos: 2 }] });
    await first.next('suback');
    const pub = await a.connect();
    await pub.publishAsync('r/t', 'once', { qos: 2 });
    const original = await first.next('publish');
    first.drop(); // mid-flow: no PUBREC
    await eventually(() => expect(a.broker.connectionCount).toBe(1));
    await a.stop(); // the session was saved when its connection ended

    const second = await RawClient.connect(b.port, 4, { clientId: 'q2-restart', clean: false });
    const again = await second.next('publish');
    expect(again).toMatchObject({ messageId: original.messageId, dup: true, qos: 2 });
    expect(String(again.payload)).toBe('once');
    second.send({ cmd: 'pubrec', messageId: again.messageId });
    await second.next('pubrel');
    second.send({ cmd: 'pubcomp', messageId: again.messageId });
    await expect(second.next('publish', 300)).rejects.toThrow(/no publish/);
    second.drop();
  });

  it('should deliver a retained message stored through one broker to a subscriber of the other', async () => {
    const pub = await a.connect();
    await pub.publishAsync('shared/retained', 'kept', { qos: 1, retain: true });
    const sub = await b.connect();
    const received = inbox(sub);
    await sub.subscribeAsync('shared/#');
    await eventually(() => expect(received.map((m) => [m.payload, m.packet.retain])).toEqual([['kept', true]]));
  });
});

describe('Broker with an unreachable session store', () => {
  const failing: SessionStore = {
    load: () => Promise.reject(new Error('store down')),
    save: () => Promise.reject(new Error('store down')),
    delete: () => Promise.reject(new Error('store down')),
  };
  let h: BrokerHarness;
  const errors: string[] = [];

  beforeEach(async () => {
    h = await BrokerHarness.start({ sessionStore: failing });
    h.broker.options.hooks.onStoreError = (error, doing) => errors.push(`${doing}: ${error.message}`);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('should refuse CONNECT with Server unavailable (0x88 in 5.0, 3 in 3.1.1) and keep serving others', async () => {
    const v5 = await h.refused({ clientId: 'needs-store', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 60 } });
    expect(v5.code).toBe(0x88);
    const v311 = await h.refused({ clientId: 'needs-store-311', clean: false });
    expect(v311.code).toBe(3);
    expect(errors).toEqual(['resuming a session: store down', 'resuming a session: store down']);
    // A clean start needs nothing from the store: it connects, and works.
    const clean = await h.connect({ clientId: 'clean' });
    const received = inbox(clean);
    await clean.subscribeAsync('ok/#');
    await clean.publishAsync('ok/1', 'fine');
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['fine']));
    await eventually(() => expect(errors).toContain('deleting a session: store down'));
  });
});
