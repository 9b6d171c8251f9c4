import pino from 'pino';
import { describeMessageBus } from '../test/message-bus.behaviour';
import { InProcessBus } from './in-process-bus';

describeMessageBus(InProcessBus.name, async () => new InProcessBus(pino({ level: 'silent' }), { maxRetryDelayMs: 50 }));

describe(`${InProcessBus.name} specifics`, () => {
  it('should refuse a second member of the same group in one process', async () => {
    const bus = new InProcessBus(pino({ level: 'silent' }));
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined })).rejects.toThrow(/already has a member/);
    await bus.close();
  });

  it('should keep at most its byte bound of a topic for later fromBeginning groups, the newest records', async () => {
    const bus = new InProcessBus(pino({ level: 'silent' }), { retainBytesPerTopic: 10_000 });
    const record = (i: number) => ({ topic: 't', key: null, value: Buffer.alloc(1_000, i), headers: {} });
    await bus.send(Array.from({ length: 30 }, (_, i) => record(i)));
    const seen: number[] = [];
    await bus.subscribe({ groupId: 'late', topics: ['t'], fromBeginning: true, handler: async (r) => void seen.push(r.value![0]) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // At most 10 KB kept: the last records, in order, none of the first.
    expect(seen.length).toBeGreaterThanOrEqual(7);
    expect(seen.length).toBeLessThanOrEqual(10);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => 30 - seen.length + i));
    await bus.close();
  });

  it('should refuse sends after close and fail ping', async () => {
    const bus = new InProcessBus(pino({ level: 'silent' }));
    await bus.close();
    await expect(bus.send([{ topic: 't', key: null, value: null, headers: {} }])).rejects.toThrow(/closed/);
    await expect(bus.ping()).rejects.toThrow(/closed/);
  });
});
