import { BusRecord } from '@iot/contracts';
import { MessageBus, RecordTooLargeError } from '@iot/bus';
import { eventually, stillReachable } from '@iot/testing';
import { UplinkBuffer } from './uplink-buffer';

/** A bus that records batches and can be made to refuse them (a unit-test double). */
class ScriptedBus {
  readonly batches: string[][] = [];
  down = false;
  /** Refuses any batch whose values add up to more than this, as Kafka does. */
  maxBatchBytes = Infinity;
  async send(records: BusRecord[]): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw new Error('broker unreachable');
    if (records.reduce((sum, r) => sum + r.value!.length, 0) > this.maxBatchBytes) throw new RecordTooLargeError('too large');
    this.batches.push(records.map((r) => r.key!));
  }
}

const record = (key: string, bytes = 1): BusRecord => ({ topic: 't', key, value: Buffer.alloc(bytes), headers: {} });
const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UplinkBuffer', () => {
  let bus: ScriptedBus;
  let buffer: UplinkBuffer;
  const failures: number[] = [];
  const refused: string[] = [];
  const options = { capacity: 5, batchSize: 3, batchBytes: 1_000, lingerMs: 0, lingerAboveRate: 0, retryDelayMs: 10, maxRetryDelayMs: 40, onSendFailed: () => undefined, onRecordRefused: () => undefined };

  beforeEach(() => {
    bus = new ScriptedBus();
    failures.length = 0;
    refused.length = 0;
    buffer = new UplinkBuffer(bus as unknown as MessageBus, { ...options, onSendFailed: (_error, retryIn) => failures.push(retryIn), onRecordRefused: (r) => refused.push(r.key!) });
  });

  it('should let go of a record once it was sent', async () => {
    // Made in a function of its own: no variable of this (async) test holds a record.
    const pushed = (keys: string[]) =>
      keys.map((key) => {
        const r = record(key);
        buffer.push(r);
        return new WeakRef(r);
      });
    const refs = pushed(['a', 'b', 'c', 'd']);
    await eventually(() => expect(buffer.sent).toBe(4));
    expect(await stillReachable(refs)).toBe(0);
  });

  it('should send records in order, in batches', async () => {
    for (const key of ['a', 'b', 'c', 'd']) buffer.push(record(key));
    await eventually(() => expect(bus.batches).toEqual([['a', 'b', 'c'], ['d']]));
    expect(buffer.size).toBe(0);
    expect(buffer.sent).toBe(4);
  });

  it('should bound a batch by bytes as well as by count, and send a record larger than the bound alone', async () => {
    for (const [key, bytes] of [['a', 400], ['b', 400], ['c', 400], ['d', 2_000], ['e', 1]] as const) buffer.push(record(key, bytes));
    await eventually(() => expect(bus.batches).toEqual([['a', 'b'], ['c'], ['d'], ['e']]));
  });

  it('should send in halves a batch refused as too large, and drop (reporting it) only the record refused on its own', async () => {
    bus.maxBatchBytes = 150;
    buffer = new UplinkBuffer(bus as unknown as MessageBus, { ...options, capacity: 100, batchSize: 8, onRecordRefused: (r) => refused.push(r.key!) });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) buffer.push(record(key, key === 'f' ? 200 : 10));
    buffer.push(record('i', 10));
    await eventually(() => expect(buffer.size).toBe(0));
    expect(refused).toEqual(['f']);
    expect(bus.batches.flat()).toEqual(['a', 'b', 'c', 'd', 'e', 'g', 'h', 'i']);
    expect(buffer.refused).toBe(1);
    expect(buffer.sent).toBe(8);
    expect(buffer.size).toBe(0);
  });

  it('should count messages, not records: a record carrying several weighs that many', async () => {
    bus.down = true;
    buffer.push(record('pack-of-3'), 3);
    expect(buffer.size).toBe(3);
    expect(buffer.full).toBe(false);
    buffer.push(record('pack-of-2'), 2);
    expect(buffer.full).toBe(true);
    bus.down = false;
    await eventually(() => expect(buffer.size).toBe(0));
    expect(buffer.sent).toBe(5);
  });

  it('should keep a refused batch and retry it with growing back-off until the bus takes it', async () => {
    bus.down = true;
    buffer.push(record('a'));
    buffer.push(record('b'));
    await eventually(() => expect(failures.slice(0, 3)).toEqual([10, 20, 40]));
    expect(buffer.size).toBe(2);
    bus.down = false;
    await eventually(() => expect(bus.batches).toEqual([['a', 'b']]));
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

    const stuck = new UplinkBuffer(Object.assign(new ScriptedBus(), { down: true }) as unknown as MessageBus, { ...options, maxRetryDelayMs: 10 });
    stuck.push(record('x'));
    expect(await stuck.drain(50)).toBe(1);
  });

  describe('linger', () => {
    const lingering = (lingerMs: number, lingerAboveRate: number) =>
      new UplinkBuffer(bus as unknown as MessageBus, { ...options, capacity: 100, batchSize: 3, lingerMs, lingerAboveRate });

    it('should, under load, wait until lingerMs after the previous send began, gathering what comes meanwhile into one send', async () => {
      buffer = lingering(80, 0);
      const sentAt: number[] = [];
      const send = bus.send.bind(bus);
      bus.send = async (records) => {
        sentAt.push(performance.now());
        return send(records);
      };
      buffer.push(record('a'));
      buffer.push(record('b')); // the same turn: one send
      await eventually(() => expect(bus.batches).toEqual([['a', 'b']]));
      buffer.push(record('c'));
      await settle(10);
      buffer.push(record('d'));
      await eventually(() => expect(bus.batches).toEqual([['a', 'b'], ['c', 'd']]));
      expect(sentAt[1] - sentAt[0]).toBeGreaterThanOrEqual(75);
    });

    it('should never hold back a trickle (below lingerAboveRate)', async () => {
      buffer = lingering(1_000, 1_000_000);
      buffer.push(record('a'));
      await eventually(() => expect(bus.batches).toEqual([['a']]));
      buffer.push(record('b'));
      await eventually(() => expect(bus.batches).toEqual([['a'], ['b']]), 300);
    });

    it('should not wait when a full batch is already there', async () => {
      buffer = lingering(1_000, 0);
      buffer.push(record('a'));
      await new Promise((resolve) => setImmediate(resolve)); // the first send is under way
      for (const key of ['b', 'c', 'd']) buffer.push(record(key));
      await eventually(() => expect(bus.batches).toEqual([['a'], ['b', 'c', 'd']]), 300);
    });

    it('should end the linger as soon as a full batch of records has come meanwhile', async () => {
      buffer = lingering(1_000, 0);
      buffer.push(record('a'));
      await eventually(() => expect(bus.batches).toEqual([['a']]));
      await settle(20); // the linger has begun
      for (const key of ['b', 'c']) buffer.push(record(key));
      await settle(50);
      expect(bus.batches).toEqual([['a']]); // not full yet: still lingering
      buffer.push(record('d'));
      await eventually(() => expect(bus.batches).toEqual([['a'], ['b', 'c', 'd']]), 300);
    });

    it('should end the linger as soon as a full batch of bytes has come meanwhile (a flood is never capped at a batch per linger)', async () => {
      buffer = lingering(1_000, 0); // batchBytes 1,000
      buffer.push(record('a'));
      await eventually(() => expect(bus.batches).toEqual([['a']]));
      await settle(20);
      buffer.push(record('big', 990)); // with its framing, past 1,000 bytes
      await eventually(() => expect(bus.batches).toEqual([['a'], ['big']]), 300);
    });

    it('should take a burst for no load: the rate is measured over a second at least', async () => {
      buffer = lingering(1_000, 1_000);
      buffer.push(record('a'));
      await eventually(() => expect(bus.batches).toEqual([['a']]));
      // 200 records at once: a few ms after the first send, but one burst within the second.
      for (let i = 0; i < 200; i++) buffer.push(record(`b${i}`));
      await eventually(() => expect(bus.batches.flat()).toHaveLength(201));
      buffer.push(record('z'));
      await eventually(() => expect(bus.batches.flat()).toContain('z'), 300);
    });

    it('should linger once a load has lasted a second', async () => {
      buffer = new UplinkBuffer(bus as unknown as MessageBus, { ...options, capacity: 10_000, batchSize: 1_000, batchBytes: 1_000_000, lingerMs: 300, lingerAboveRate: 100 });
      const sentAt: number[] = [];
      const send = bus.send.bind(bus);
      bus.send = async (records) => {
        sentAt.push(performance.now());
        return send(records);
      };
      const startedAt = performance.now();
      while (performance.now() - startedAt < 1_600) {
        buffer.push(record('m')); // ~250 msg/s
        await settle(4);
      }
      const gaps = sentAt.slice(1).map((at, i) => at - sentAt[i]);
      expect(gaps.slice(0, 10).every((gap) => gap < 100)).toBe(true); // the first second: no linger
      expect(gaps[gaps.length - 1]).toBeGreaterThanOrEqual(250);
    });

    it('should not linger once drain() was called', async () => {
      buffer = lingering(1_000, 0);
      buffer.push(record('a'));
      await eventually(() => expect(bus.batches).toEqual([['a']]));
      await settle(20);
      buffer.push(record('b'));
      const startedAt = performance.now();
      expect(await buffer.drain(2_000)).toBe(0);
      expect(bus.batches).toEqual([['a'], ['b']]);
      expect(performance.now() - startedAt).toBeLessThan(500);
    });
  });
});
