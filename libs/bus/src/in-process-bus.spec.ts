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

  it('should refuse sends after close and fail ping', async () => {
    const bus = new InProcessBus(pino({ level: 'silent' }));
    await bus.close();
    await expect(bus.send([{ topic: 't', key: null, value: null, headers: {} }])).rejects.toThrow(/closed/);
    await expect(bus.ping()).rejects.toThrow(/closed/);
  });
});
