import pino from 'pino';
import type { MessageBus } from '@iot/bus';
import type { RuntimeConfig } from '@iot/runtime';
import { ReplyWaiters } from './reply-waiters';

describe(ReplyWaiters.name, () => {
  const waiters = () => new ReplyWaiters({} as MessageBus, { nodeId: 'n1' } as RuntimeConfig, pino({ level: 'silent' }));
  const reply = (requestId: string) => ({ projectId: 'p', deviceId: 'd', requestId, kind: 'command' as const, body: { result_code: 0 }, receivedAt: new Date().toISOString() });

  it('should hand an answer to the request waiting for it, and only once', async () => {
    const w = waiters();
    const waited = w.wait('r1', 5_000);
    expect(w.deliver(reply('other'))).toBe(false);
    expect(w.deliver(reply('r1'))).toBe(true);
    await expect(waited).resolves.toMatchObject({ requestId: 'r1', body: { result_code: 0 } });
    expect(w.deliver(reply('r1'))).toBe(false);
  });

  it('should resolve to undefined when no answer comes in time, and forget the request', async () => {
    const w = waiters();
    await expect(w.wait('r2', 20)).resolves.toBeUndefined();
    expect(w.deliver(reply('r2'))).toBe(false);
  });
});
