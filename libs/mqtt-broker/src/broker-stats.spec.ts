import { BrokerHarness, eventually } from '../test/broker-harness';
import { BrokerStats } from './broker-stats';

describe(BrokerStats.name, () => {
  let h: BrokerHarness;

  beforeEach(async () => {
    h = await BrokerHarness.start({
      hooks: {
        // Devices of two projects by username; a wrong password is refused as p2's.
        authenticate: ({ username, password }) =>
          password?.toString() === 'secret' ? { ok: true, projectId: username === 'b' ? 'p2' : 'p1' } : { ok: false, reason: 'bad-credentials', projectId: 'p2' },
        authorizePublish: (_client, topic) => !topic.startsWith('forbidden'),
        authorizeSubscribe: () => true,
      },
    });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('should count traffic, logins and occupancy per project as well as for the node', async () => {
    const { client: a, received } = await h.connectWithInbox({ username: 'a', password: 'secret', clientId: 'a1' });
    const b = await h.connect({ username: 'b', password: 'secret', clientId: 'b1' });
    await expect(h.connect({ username: 'b', password: 'wrong', clientId: 'b2' })).rejects.toThrow();
    await a.subscribeAsync({ 'm/#': { qos: 1 }, 'n/+': { qos: 0 } });
    await b.subscribeAsync('m/#', { qos: 0 });
    await a.publishAsync('m/1', 'x', { qos: 1 });
    await a.publishAsync('n/1', 'x', { qos: 0 });
    await a.publishAsync('forbidden/1', 'x', { qos: 1 }).catch(() => undefined);
    await eventually(() => expect(received).toHaveLength(2));

    const stats = h.broker.stats;
    const p1 = stats.projectCounters().get('p1')!;
    const p2 = stats.projectCounters().get('p2')!;
    expect(p1.messagesIn).toEqual([1, 2, 0]);
    expect(p1.messagesOut).toEqual([1, 1, 0]);
    expect(p1.messagesDropped).toEqual([0, 1, 0]); // the forbidden one
    expect(p2.messagesIn).toEqual([0, 0, 0]);
    expect(p1.authSuccesses).toBe(1);
    expect([p2.authSuccesses, p2.authFailures]).toEqual([1, 1]);
    expect([stats.authSuccesses, stats.authFailures]).toEqual([2, 1]);
    expect(stats.messagesIn).toEqual([1, 2, 0]);
    // A project counts from its client's CONNACK on: SUBSCRIBE and three PUBLISH from a1 in;
    // CONNACK, SUBACK, two deliveries and two PUBACKs out.
    expect(p1.packetsIn).toBeGreaterThanOrEqual(4);
    expect(p1.packetsOut).toBeGreaterThanOrEqual(6);
    expect(p1.bytesIn).toBeGreaterThan(0);
    expect(stats.bytesIn).toBeGreaterThan(p1.bytesIn + p2.bytesIn - 1);
    expect(stats.packetsIn).toBeGreaterThan(p1.packetsIn + p2.packetsIn); // the refused CONNECT counts for the node only

    expect(Object.fromEntries(h.broker.occupancy())).toEqual({
      p1: { connections: 1, sessions: 1, subscriptions: 2, topics: 2 },
      p2: { connections: 1, sessions: 1, subscriptions: 1, topics: 1 },
    });
  });

  it('should count a parked persistent session as a session, not a connection', async () => {
    const a = await h.connect({ username: 'a', password: 'secret', clientId: 'keeper', clean: false });
    await a.subscribeAsync('k/#', { qos: 1 });
    await a.endAsync();
    await eventually(() => expect(h.broker.occupancy().get('p1')).toEqual({ connections: 0, sessions: 1, subscriptions: 1, topics: 1 }));
  });
});
