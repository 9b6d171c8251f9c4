import { BusRecord, DEVICE_MESSAGE_PACK_LIMITS, decodeDeviceMessages } from '@iot/contracts';
import type { Message } from '@iot/mqtt-broker';
import { DeviceMessagePacker } from './device-message-packer';

const message = (projectId: string, topic: string, payload = Buffer.from(topic)): Message => ({ projectId, topic, payload, qos: 1, retain: false });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('DeviceMessagePacker', () => {
  let emitted: { record: BusRecord; messages: number }[];
  let packer: DeviceMessagePacker;
  /** What was emitted, as `<client>:<topic>` per message, one array per record. */
  const records = () => emitted.map(({ record }) => decodeDeviceMessages(record).map(({ meta }) => `${meta.clientId}:${meta.topic}`));

  beforeEach(() => {
    emitted = [];
    packer = new DeviceMessagePacker('gw-1', (record, messages) => emitted.push({ record, messages }));
  });

  it('should emit one record per client at the end of the turn, its messages in order', async () => {
    packer.add(message('p', 'a/1'), 'a');
    packer.add(message('p', 'b/1'), 'b');
    packer.add(message('p', 'a/2'), 'a');
    packer.add(message('q', 'a/1'), 'a'); // another project's client of the same id is another client
    expect(emitted).toEqual([]);
    await nextTurn();
    expect(records()).toEqual([['a:a/1', 'a:a/2'], ['b:b/1'], ['a:a/1']]);
    expect(emitted.map((e) => e.messages)).toEqual([2, 1, 1]);
    expect(emitted.map((e) => e.record.key)).toEqual(['p/a', 'p/b', 'q/a']);
  });

  it('should emit a full pack at once and go on in a new one, keeping the client’s order', async () => {
    for (let i = 0; i < DEVICE_MESSAGE_PACK_LIMITS.messages + 2; i++) packer.add(message('p', `t/${i}`), 'a');
    expect(emitted.map((e) => e.messages)).toEqual([DEVICE_MESSAGE_PACK_LIMITS.messages]);
    await nextTurn();
    expect(emitted.map((e) => e.messages)).toEqual([DEVICE_MESSAGE_PACK_LIMITS.messages, 2]);
    expect(records().flat()).toEqual(Array.from({ length: DEVICE_MESSAGE_PACK_LIMITS.messages + 2 }, (_, i) => `a:t/${i}`));
  });

  it('should give a large payload a record of its own', async () => {
    packer.add(message('p', 'small'), 'a');
    packer.add(message('p', 'large', Buffer.alloc(DEVICE_MESSAGE_PACK_LIMITS.bytes / 2 + 1)), 'a');
    packer.add(message('p', 'after'), 'a');
    await nextTurn();
    expect(records()).toEqual([['a:small'], ['a:large'], ['a:after']]);
  });

  it('should stamp a turn’s messages with the time the turn’s first one was packed', async () => {
    const before = Date.now();
    packer.add(message('p', 'a/1'), 'a');
    const busyUntil = Date.now() + 5; // a long turn: the clock moves, the turn's stamp does not
    while (Date.now() < busyUntil);
    packer.add(message('p', 'b/1'), 'b');
    await nextTurn();
    const stamps = emitted.flatMap(({ record }) => decodeDeviceMessages(record).map(({ meta }) => Date.parse(meta.receivedAt)));
    expect(new Set(stamps).size).toBe(1);
    expect(stamps[0]).toBeGreaterThanOrEqual(before);
    expect(stamps[0]).toBeLessThan(before + 5);
    packer.add(message('p', 'a/2'), 'a');
    await nextTurn();
    expect(Date.parse(decodeDeviceMessages(emitted[2].record)[0].meta.receivedAt)).toBeGreaterThanOrEqual(before + 5);
  });

  it('should hand everything on when flushed (shutdown)', () => {
    packer.add(message('p', 'x'), 'a');
    packer.flush();
    expect(records()).toEqual([['a:x']]);
  });
});
