import { ClientInfo, defaultHooks } from '@iot/mqtt-broker';
import { combineHooks } from './combine-hooks';

const client: ClientInfo = { clientId: 'c', projectId: 'p', protocolVersion: 5, peerAddress: '127.0.0.1', connectionSeq: 1 };

describe('combineHooks', () => {
  it('should call every observer of every part, in order, and take deciding hooks from the last part that has one', async () => {
    const calls: string[] = [];
    const hooks = combineHooks(
      defaultHooks({ allowAnonymous: false }),
      { onConnected: () => calls.push('presence'), authorizePublish: () => false },
      { onConnected: () => calls.push('uplink'), onDisconnected: () => calls.push('uplink-off') },
    );
    hooks.onConnected!(client, { cleanStart: true });
    hooks.onDisconnected!(client, 'bye');
    expect(calls).toEqual(['presence', 'uplink', 'uplink-off']);
    expect(hooks.authorizePublish(client, 't')).toBe(false);
    expect(await hooks.authenticate({ clientId: 'c', peerAddress: '', protocolVersion: 4 })).toMatchObject({ ok: false });
    expect(hooks.onSubscribed).toBeUndefined();
  });

  it('should skip untracked deliveries only when every part that observes deliveries says it may', () => {
    const tracked = { onDelivered: () => undefined, onDeliveredTrackedOnly: true };
    expect(combineHooks(defaultHooks({ allowAnonymous: false }), tracked).onDeliveredTrackedOnly).toBe(true);
    expect(combineHooks(defaultHooks({ allowAnonymous: false }), tracked, { onDelivered: () => undefined }).onDeliveredTrackedOnly).toBe(false);
    expect(combineHooks(defaultHooks({ allowAnonymous: false }), tracked, { onConnected: () => undefined }).onDeliveredTrackedOnly).toBe(true);
  });
});
