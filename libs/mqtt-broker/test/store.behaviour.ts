import { Message } from '../src/message';
import { RetainedStore } from '../src/storage/retained-store';
import { SessionSnapshot, SessionStore } from '../src/storage/session-store';

const message = (overrides: Partial<Message> = {}): Message => ({ projectId: 'p1', topic: 't/1', payload: Buffer.from('hello'), qos: 1, retain: false, ...overrides });

const snapshot = (overrides: Partial<SessionSnapshot> = {}): SessionSnapshot => ({
  projectId: 'p1',
  clientId: 'c1',
  expiryInterval: 60,
  disconnectedAt: Date.now(),
  subscriptions: [{ filter: 'a/+', options: { qos: 1, noLocal: false, retainAsPublished: true, retainHandling: 0, subscriptionId: 7 } }],
  inflight: [{ message: message({ properties: { correlationData: Buffer.from([1, 2]), userProperties: { k: 'v' } } }), qos: 1, retain: false, subscriptionIds: [7], packetId: 3, awaiting: 'puback' }],
  queue: [{ message: message({ topic: 'a/b', qos: 2 }), qos: 2, retain: true, subscriptionIds: [] }],
  inboundQos2: [9],
  ...overrides,
});

/**
 * What every SessionStore must do (memory here; Redis in the cluster), run against a
 * fresh store per test by each implementation's spec.
 */
export function sessionStoreBehaviour(create: () => Promise<SessionStore> | SessionStore, cleanup?: () => Promise<void>): void {
  let store: SessionStore;
  beforeEach(async () => {
    store = await create();
  });
  afterEach(async () => {
    await cleanup?.();
  });

  it('should give back a saved session with its subscriptions, in-flight and queued deliveries', async () => {
    const saved = snapshot();
    await store.save(saved);
    const loaded = await store.load('p1', 'c1');
    expect(loaded).toEqual(saved);
    expect(Buffer.isBuffer(loaded!.queue[0].message.payload)).toBe(true);
    expect(loaded!.inflight[0].message.properties?.correlationData).toEqual(Buffer.from([1, 2]));
  });

  it('should keep sessions apart by project and client id', async () => {
    await store.save(snapshot());
    expect(await store.load('p2', 'c1')).toBeUndefined();
    expect(await store.load('p1', 'c2')).toBeUndefined();
  });

  it('should replace a session on save and forget it on delete', async () => {
    await store.save(snapshot());
    await store.save(snapshot({ subscriptions: [] }));
    expect((await store.load('p1', 'c1'))!.subscriptions).toEqual([]);
    await store.delete('p1', 'c1');
    expect(await store.load('p1', 'c1')).toBeUndefined();
  });

  it('should not return a session whose expiry interval has passed', async () => {
    await store.save(snapshot({ expiryInterval: 1, disconnectedAt: Date.now() - 1_500 }));
    expect(await store.load('p1', 'c1')).toBeUndefined();
  });

  it('should keep a session that never expires', async () => {
    await store.save(snapshot({ expiryInterval: 0xffffffff, disconnectedAt: 0 }));
    expect(await store.load('p1', 'c1')).toBeDefined();
  });
}

/** What every RetainedStore must do. */
export function retainedStoreBehaviour(create: () => Promise<RetainedStore> | RetainedStore, cleanup?: () => Promise<void>): void {
  let store: RetainedStore;
  beforeEach(async () => {
    store = await create();
  });
  afterEach(async () => {
    await cleanup?.();
  });

  it('should match retained messages by filter, within one project', async () => {
    await store.put(message({ topic: 'a/b', retain: true }));
    await store.put(message({ topic: 'a/c/d', retain: true }));
    await store.put(message({ projectId: 'p2', topic: 'a/b', retain: true }));
    expect((await store.match('p1', 'a/+')).map((m) => m.topic)).toEqual(['a/b']);
    expect((await store.match('p1', 'a/#')).map((m) => m.topic).sort()).toEqual(['a/b', 'a/c/d']);
    expect(await store.count('p1')).toBe(2);
    expect(await store.count()).toBe(3);
    const held = [...(await store.countByProject())].filter(([, count]) => count > 0);
    expect(Object.fromEntries(held)).toEqual({ p1: 2, p2: 1 });
  });

  it('should keep the last message per topic and delete on an empty payload [MQTT-3.3.1-10]', async () => {
    await store.put(message({ payload: Buffer.from('old'), retain: true }));
    await store.put(message({ payload: Buffer.from('new'), retain: true, properties: { contentType: 'text/plain' } }));
    const [kept] = await store.match('p1', 't/1');
    expect(kept.payload.toString()).toBe('new');
    expect(kept.properties?.contentType).toBe('text/plain');
    await store.put(message({ payload: Buffer.alloc(0), retain: true }));
    expect(await store.match('p1', '#')).toEqual([]);
  });

  it('should not match $-topics with a leading wildcard, nor expired messages', async () => {
    await store.put(message({ topic: '$sys/x', retain: true }));
    await store.put(message({ topic: 'gone', retain: true, expiresAt: Date.now() - 1 }));
    expect(await store.match('p1', '#')).toEqual([]);
    expect(await store.match('p1', 'gone')).toEqual([]);
    expect(await store.match('p1', 'absent')).toEqual([]);
    expect((await store.match('p1', '$sys/#')).map((m) => m.topic)).toEqual(['$sys/x']);
  });
}
