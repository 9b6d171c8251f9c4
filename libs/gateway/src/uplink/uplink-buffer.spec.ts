import { BusRecord } from '@iot/contracts';
import { MessageBus } from '@iot/bus';
import { UplinkBuffer } from './uplink-buffer';

/** A bus that records batches and can be made to refuse them (a unit-test double). */
class ScriptedBus {
  readonly batches: string[][] = [];
  down = false;
  async send(records: BusRecord[]): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw new Error('broker unreachable');
    this.batches.push(records.map((r) => r.key!));
  }
}

const record = (key: string): BusRecord => ({ topic: 't', key, value: Buffer.from(key), headers: {} });
const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UplinkBuffer', () => {
  let bus: ScriptedBus;
  let buffer: UplinkBuffer;
  const failures: number[] = [];

  beforeEach(() => {
    bus = new ScriptedBus();
    failures.length = 0;
    buffer = new UplinkBuffer(bus as unknown as MessageBus, { capacity: 5, batchSize: 3, retryDelayMs: 10, maxRetryDelayMs: 40, onSendFailed: (_error, retryIn) => failures.push(retryIn) });
  });

  it('should send records in order, in batches', async () => {
    for (const key of ['a', 'b', 'c', 'd']) buffer.push(record(key));
    await settle();
    expect(bus.batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect(buffer.size).toBe(0);
    expect(buffer.sent).toBe(4);
  });

  it('should keep a refused batch and retry it with growing back-off until the bus takes it', async () => {
    bus.down = true;
    buffer.push(record('a'));
    buffer.push(record('b'));
    await settle(100);
    expect(failures.slice(0, 3)).toEqual([10, 20, 40]);
    expect(buffer.size).toBe(2);
    bus.down = false;
    await settle(100);
    expect(bus.batches).toEqual([['a', 'b']]);
    expect(buffer.size).toBe(0);
  });

  it('should report full at capacity and resolve room() once sending frees space', async () => {
    bus.down = true;
    for (let i = 0; i < 5; i++) buffer.push(record(String(i)));
    expect(buffer.full).toBe(true);
    let roomy = false;
    const room = buffer.room().then(() => (roomy = true));
    await settle(50);
    expect(roomy).toBe(false);
    bus.down = false;
    await room;
    expect(buffer.full).toBe(false);
  });

  it('should drain what is buffered before resolving, or give up after the timeout', async () => {
    for (const key of ['a', 'b']) buffer.push(record(key));
    expect(await buffer.drain(1_000)).toBe(0);
    expect(bus.batches.flat()).toEqual(['a', 'b']);

    const stuck = new UplinkBuffer(Object.assign(new ScriptedBus(), { down: true }) as unknown as MessageBus, { capacity: 5, batchSize: 3, retryDelayMs: 10, maxRetryDelayMs: 10, onSendFailed: () => undefined });
    stuck.push(record('x'));
    expect(await stuck.drain(50)).toBe(1);
  });
});
