import { Broker, MemorySessionStore, defaultHooks } from '@iot/mqtt-broker';
import { GatewayCommandValue } from '@iot/contracts';
import { ClientCommands } from './client-commands';

const command = (value: Partial<GatewayCommandValue>): GatewayCommandValue => ({ projectId: 'p', requestedAt: new Date().toISOString(), action: 'kick', ...value }) as GatewayCommandValue;

describe('ClientCommands on a single node', () => {
  let store: MemorySessionStore;
  let broker: Broker;
  let commands: ClientCommands;

  beforeEach(() => {
    store = new MemorySessionStore();
    broker = new Broker({ hooks: defaultHooks({ allowAnonymous: true }), sessionStore: store });
    commands = new ClientCommands(broker);
  });
  afterEach(() => broker.close());

  it('should write a subscription change into a stored session no broker holds, for when it resumes', async () => {
    await store.save({ projectId: 'p', clientId: 'sleeper', expiryInterval: 300, disconnectedAt: Date.now(), subscriptions: [{ filter: 'old/#', options: { qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 } }], inflight: [], queue: [], inboundQos2: [] });
    expect(await commands.apply(command({ action: 'subscribe', clientId: 'sleeper', filter: 'new/+', qos: 1 }))).toBe('done');
    expect(await commands.apply(command({ action: 'unsubscribe', clientId: 'sleeper', filter: 'old/#' }))).toBe('done');
    expect((await store.load('p', 'sleeper'))!.subscriptions.map((s) => [s.filter, s.options.qos])).toEqual([['new/+', 1]]);
  });

  it('should report a kick or a subscription for an unknown client as offline', async () => {
    expect(await commands.apply(command({ action: 'kick', clientId: 'nobody' }))).toBe('offline');
    expect(await commands.apply(command({ action: 'subscribe', clientId: 'nobody', filter: 'a', qos: 0 }))).toBe('offline');
  });

  it('should refuse filters and topics MQTT does not allow', async () => {
    expect(await commands.apply(command({ action: 'subscribe', clientId: 'c', filter: 'a/#/b', qos: 0 }))).toBe('invalid');
    expect(await commands.apply(command({ action: 'publish', message: { topic: 'a/+', payload: '', qos: 0, retain: false } }))).toBe('invalid');
  });

  it('should publish into the project, retained included', async () => {
    expect(await commands.apply(command({ action: 'publish', message: { topic: 'cfg/1', payload: Buffer.from('on').toString('base64'), qos: 1, retain: true } }))).toBe('done');
    const [kept] = await broker.retained.match('p', 'cfg/#');
    expect(kept.payload.toString()).toBe('on');
  });
});
