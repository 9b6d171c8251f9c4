import { BrokerHarness, eventually, inbox, sleep } from '../test/broker-harness';
import { RawClient } from '../test/raw-client';

describe('Broker sessions and delivery guarantees', () => {
  let h: BrokerHarness;

  beforeEach(async () => {
    h = await BrokerHarness.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('should redeliver an unacknowledged QoS 2 PUBLISH with DUP after a reconnect, then complete it exactly once', async () => {
    const first = await RawClient.connect(h.port, 4, { clientId: 'q2', clean: false });
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2/t', qos: 2 }] });
    await first.next('suback');
    const pub = await h.connect();
    await pub.publishAsync('q2/t', 'exactly once', { qos: 2 });
    const original = await first.next('publish');
    first.drop(); // mid-flow: no PUBREC

    const second = await RawClient.connect(h.port, 4, { clientId: 'q2', clean: false });
    const again = await second.next('publish');
    expect(again).toMatchObject({ messageId: original.messageId, dup: true, qos: 2 });
    expect(String(again.payload)).toBe('exactly once');
    second.send({ cmd: 'pubrec', messageId: again.messageId });
    expect(await second.next('pubrel')).toMatchObject({ messageId: again.messageId });
    second.drop(); // mid-flow again: PUBREC sent, no PUBCOMP

    const third = await RawClient.connect(h.port, 4, { clientId: 'q2', clean: false });
    expect(await third.next('pubrel')).toMatchObject({ messageId: again.messageId }); // [MQTT-4.4.0-1]
    third.send({ cmd: 'pubcomp', messageId: again.messageId });
    await sleep(100);
    expect(third.packets.filter((p) => p.cmd === 'publish')).toEqual([]);
    third.drop();
  });

  it('should acknowledge a duplicate inbound QoS 2 PUBLISH without routing it twice', async () => {
    const sub = await h.connect();
    const got = inbox(sub);
    await sub.subscribeAsync('dup/t', { qos: 2 });
    const raw = await RawClient.connect(h.port, 4, { clientId: 'sender', clean: true });
    const publish = { cmd: 'publish', topic: 'dup/t', payload: Buffer.from('once'), qos: 2, messageId: 9, retain: false, dup: false };
    raw.send(publish);
    await raw.next('pubrec');
    raw.send({ ...publish, dup: true });
    await raw.next('pubrec');
    raw.send({ cmd: 'pubrel', messageId: 9 });
    await raw.next('pubcomp');
    await sleep(100);
    expect(got.map((m) => m.payload)).toEqual(['once']);
    raw.drop();
  });

  it('should hold the will for its delay, and drop it when the client comes back in time', async () => {
    const watcher = await h.connect({ protocolVersion: 5 });
    const got = inbox(watcher);
    await watcher.subscribeAsync('will/#');
    const will = (topic: string) => ({ topic, payload: Buffer.from(topic), qos: 0 as const, retain: false, properties: { willDelayInterval: 1 } });
    const options = (id: string, topic: string) => ({ protocolVersion: 5 as const, clientId: id, clean: false, properties: { sessionExpiryInterval: 60 }, will: will(topic) });

    const late = await h.connect(options('late', 'will/late'));
    const back = await h.connect(options('back', 'will/back'));
    late.stream.destroy();
    back.stream.destroy();
    await sleep(300);
    expect(got).toEqual([]); // not before the delay
    await h.connect({ protocolVersion: 5, clientId: 'back', clean: false, properties: { sessionExpiryInterval: 60 } });
    await eventually(() => expect(got.map((m) => m.topic)).toEqual(['will/late']), 3_000);
    await sleep(300);
    expect(got.map((m) => m.topic)).toEqual(['will/late']);
  });

  it('should send the will at once when the session ends first (session expiry 0)', async () => {
    const watcher = await h.connect({ protocolVersion: 5 });
    const got = inbox(watcher);
    await watcher.subscribeAsync('will/#');
    const client = await h.connect({ protocolVersion: 5, will: { topic: 'will/now', payload: Buffer.from('x'), qos: 0, retain: false, properties: { willDelayInterval: 30 } } });
    client.stream.destroy();
    await eventually(() => expect(got.map((m) => m.topic)).toEqual(['will/now']), 1_000);
  });

  it('should not deliver a queued message after its expiry, and decrement the interval of one still alive', async () => {
    const options = { protocolVersion: 5 as const, clientId: 'expiry', clean: false, properties: { sessionExpiryInterval: 60 } };
    const sub = await h.connect(options);
    await sub.subscribeAsync('exp/#', { qos: 1 });
    await sub.endAsync();
    const pub = await h.connect({ protocolVersion: 5 });
    await pub.publishAsync('exp/short', 'gone', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.publishAsync('exp/long', 'kept', { qos: 1, properties: { messageExpiryInterval: 60 } });
    await sleep(2_100);
    const { received } = await h.connectWithInbox(options);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['kept']));
    expect(received[0].packet.properties?.messageExpiryInterval).toBeLessThanOrEqual(58);
  });

  it('should deliver to a returning client what was queued for it from a burst of reads, intact', async () => {
    // The burst arrives in reads of many messages; the one queued for the offline client is
    // kept as a copy of its own (heldMessage), not as a view of those reads.
    const options = { protocolVersion: 5 as const, clientId: 'away', clean: false, properties: { sessionExpiryInterval: 60 } };
    const sub = await h.connect(options);
    await sub.subscribeAsync('burst/7', { qos: 1 });
    await sub.endAsync();
    const pub = await RawClient.connect(h.port, 5, { clientId: 'burster' });
    const payloadOf = (i: number) => `${'x'.repeat(90)}-${i}`;
    pub.sendAll(Array.from({ length: 200 }, (_, i) => ({ cmd: 'publish', topic: `burst/${i}`, payload: payloadOf(i), qos: 1, messageId: i + 1, retain: false, dup: false })));
    await eventually(() => expect(pub.packets.filter((p) => p.cmd === 'puback')).toHaveLength(200));
    const { received } = await h.connectWithInbox(options);
    await eventually(() => expect(received.map((m) => [m.topic, m.payload])).toEqual([['burst/7', payloadOf(7)]]));
    pub.drop();
  });

  it('should end a session when its expiry interval passes', async () => {
    const options = { protocolVersion: 5 as const, clientId: 'short-lived', clean: false, properties: { sessionExpiryInterval: 1 } };
    const first = await h.connect(options);
    await first.subscribeAsync('x');
    await first.endAsync();
    expect(h.broker.sessionCount).toBeGreaterThan(0);
    await sleep(1_300);
    const { connack } = await h.connectWithInbox(options);
    expect(connack.sessionPresent).toBe(false);
  });

  it.each([
    [0, 2],
    [1, 1],
    [2, 0],
  ] as const)('should apply retain handling %i (retained copies after subscribing twice: %i)', async (rh, expected) => {
    const pub = await h.connect({ protocolVersion: 5 });
    await pub.publishAsync('rh/t', 'retained', { qos: 1, retain: true });
    const sub = await h.connect({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rh/t', { qos: 1, rh });
    await sub.subscribeAsync('rh/t', { qos: 1, rh });
    await sleep(150);
    expect(got).toHaveLength(expected);
  });

  it('should keep RETAIN on delivery only with retain-as-published', async () => {
    const sub = await h.connect({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('rap/plain', { qos: 1 });
    await sub.subscribeAsync('rap/kept', { qos: 1, rap: true });
    const pub = await h.connect({ protocolVersion: 5 });
    await pub.publishAsync('rap/plain', 'a', { qos: 1, retain: true });
    await pub.publishAsync('rap/kept', 'b', { qos: 1, retain: true });
    await eventually(() => expect(got.map((m) => [m.topic, m.packet.retain])).toEqual([['rap/plain', false], ['rap/kept', true]]));
  });

  it('should resolve inbound topic aliases and refuse an unknown one', async () => {
    const sub = await h.connect({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('alias/#');
    const raw = await RawClient.connect(h.port, 5, { clientId: 'aliaser', clean: true });
    raw.send({ cmd: 'publish', topic: 'alias/long/topic', payload: Buffer.from('1'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } });
    raw.send({ cmd: 'publish', topic: '', payload: Buffer.from('2'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } });
    await eventually(() => expect(got.map((m) => [m.topic, m.payload])).toEqual([['alias/long/topic', '1'], ['alias/long/topic', '2']]));
    raw.send({ cmd: 'publish', topic: '', payload: Buffer.from('3'), qos: 0, retain: false, dup: false, properties: { topicAlias: 4 } });
    expect(await raw.next('disconnect')).toMatchObject({ reasonCode: 0x82 });
  });

  it('should set up topic aliases towards a client that accepts them', async () => {
    const raw = await RawClient.connect(h.port, 5, { clientId: 'alias-reader', clean: true, properties: { topicAliasMaximum: 1 } });
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'out/#', qos: 0 }] });
    await raw.next('suback');
    const pub = await h.connect();
    for (const topic of ['out/a', 'out/a', 'out/b']) await pub.publishAsync(topic, topic, { qos: 1 });
    const publishes = await eventually(() => {
      const seen = raw.packets.filter((p) => p.cmd === 'publish') as unknown as { topic: string; properties?: { topicAlias?: number } }[];
      expect(seen).toHaveLength(3);
      return seen;
    });
    expect(publishes.map((p) => [p.topic, p.properties?.topicAlias])).toEqual([
      ['out/a', 1],
      ['', 1],
      ['out/b', undefined], // beyond the client's Topic Alias Maximum
    ]);
    raw.drop();
  });

  it('should queue at most maxQueuedMessages for an offline session, dropping the oldest', async () => {
    await h.stop();
    h = await BrokerHarness.start({ maxQueuedMessages: 3 });
    const options = { clientId: 'bounded', clean: false };
    const sub = await h.connect(options);
    await sub.subscribeAsync('q/#', { qos: 1 });
    await sub.endAsync();
    const pub = await h.connect();
    for (let i = 0; i < 6; i++) await pub.publishAsync(`q/${i}`, String(i), { qos: 1 });
    const { received } = await h.connectWithInbox(options);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['3', '4', '5']));
    expect(h.broker.stats.messagesDropped).toEqual([0, 3, 0]);
  });

  it('should respect the client Receive Maximum and send the rest as acks arrive', async () => {
    const raw = await RawClient.connect(h.port, 5, { clientId: 'narrow', clean: true, properties: { receiveMaximum: 2 } });
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rm/#', qos: 1 }] });
    await raw.next('suback');
    const pub = await h.connect();
    for (let i = 0; i < 4; i++) await pub.publishAsync(`rm/${i}`, String(i), { qos: 1 });
    await sleep(150);
    const firstTwo = raw.packets.filter((p) => p.cmd === 'publish');
    expect(firstTwo).toHaveLength(2);
    raw.packets.length = 0;
    for (const p of firstTwo) raw.send({ cmd: 'puback', messageId: (p as { messageId: number }).messageId });
    await eventually(() => expect(raw.packets.filter((p) => p.cmd === 'publish')).toHaveLength(2));
    raw.drop();
  });

  it('should slow a QoS 1 publisher down to a subscriber that acknowledges slowly, losing nothing', async () => {
    await h.stop();
    h = await BrokerHarness.start({ maxQueuedMessages: 50 });
    const { client: sub, received } = await h.connectWithInbox({ protocolVersion: 5, clientId: 'slow-acker', properties: { receiveMaximum: 5 } });
    await sub.subscribeAsync('flood/#', { qos: 1 });
    const pub = await RawClient.connect(h.port, 4, { clientId: 'flooder', clean: true });
    const count = 2_000;
    // One write: the broker reads far more publishes at once than the subscriber's queue holds.
    pub.sendAll(Array.from({ length: count }, (_, i) => ({ cmd: 'publish', topic: `flood/${i % 7}`, payload: Buffer.from(String(i)), qos: 1, messageId: (i % 65535) + 1 })));
    await eventually(() => expect(received).toHaveLength(count), 20_000);
    expect(received.map((m) => Number(m.payload))).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(h.broker.stats.messagesDropped).toEqual([0, 0, 0]);
    pub.drop();
  }, 30_000);

  it('should not let a subscriber that stopped acknowledging stall its publishers: its oldest queued messages are dropped', async () => {
    await h.stop();
    h = await BrokerHarness.start({ maxQueuedMessages: 10 });
    const stuck = await RawClient.connect(h.port, 5, { clientId: 'stuck', clean: true, properties: { receiveMaximum: 1 } });
    stuck.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'stall/#', qos: 1 }] });
    await stuck.next('suback');
    const pub = await h.connect();
    const started = Date.now();
    for (let i = 0; i < 30; i++) await pub.publishAsync(`stall/${i}`, String(i), { qos: 1 });
    // Paused at most PAUSE_LIMIT_MS (1 s) per message while the queue is half full, never for good.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(h.broker.stats.messagesDropped).toEqual([0, 30 - 1 - 10, 0]); // one in flight, ten queued
    stuck.drop();
  }, 20_000);
});
