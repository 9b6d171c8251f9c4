import { DEVICE_MESSAGE_META_HEADER, DEVICE_MESSAGE_PACK_LIMITS, OutboundRecord, decodeDeviceMessages, encodePublishFrame, toBusRecord } from '@iot/contracts';
import type { Message } from '@iot/mqtt-broker';
import { retainedOver } from '@iot/testing';
import { DeviceMessagePacker } from './device-message-packer';

const message = (projectId: string, topic: string, payload = Buffer.from(topic)): Message => ({ projectId, topic, payload, qos: 1, retain: false });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('DeviceMessagePacker', () => {
  let emitted: { record: OutboundRecord; messages: number }[];
  let packer: DeviceMessagePacker;
  /** What was emitted, as `<client>:<topic>` per message, one array per record. */
  const records = () => emitted.map(({ record }) => decodeDeviceMessages(toBusRecord(record)).map(({ meta }) => `${meta.clientId}:${meta.topic}`));

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

  it('should key a client’s records by the device it authenticated as, also when its client id comes back as another device', async () => {
    packer.add({ ...message('p', 'a/1'), originDeviceId: 'dev-1' }, 'a');
    await nextTurn();
    packer.add({ ...message('p', 'a/2'), originDeviceId: 'dev-2' }, 'a');
    await nextTurn();
    packer.add(message('p', 'a/3'), 'a');
    await nextTurn();
    expect(emitted.map((e) => e.record.key)).toEqual(['p/dev-1', 'p/dev-2', 'p/a']);
    expect(emitted.map((e) => decodeDeviceMessages(toBusRecord(e.record))[0].meta.deviceId)).toEqual(['dev-1', 'dev-2', undefined]);
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
    const stamps = emitted.flatMap(({ record }) => decodeDeviceMessages(toBusRecord(record)).map(({ meta }) => Date.parse(meta.receivedAt)));
    expect(new Set(stamps).size).toBe(1);
    expect(stamps[0]).toBeGreaterThanOrEqual(before);
    expect(stamps[0]).toBeLessThan(before + 5);
    packer.add(message('p', 'a/2'), 'a');
    await nextTurn();
    expect(Date.parse(decodeDeviceMessages(toBusRecord(emitted[2].record))[0].meta.receivedAt)).toBeGreaterThanOrEqual(before + 5);
  });

  it('should hand everything on when flushed (shutdown)', () => {
    packer.add(message('p', 'x'), 'a');
    packer.flush();
    expect(records()).toEqual([['a:x']]);
  });

  /** A read holding PUBLISH packets for `topics` back to back, as a socket delivers them, with each one's range. */
  const read = (protocolVersion: 4 | 5, ...topics: string[]) => {
    const packets = topics.map((topic) => encodePublishFrame({ topic, qos: 0, retain: false }, Buffer.from(topic), protocolVersion));
    // Memory of its own (Buffer.concat may return a slice of the shared pool), as a socket read has.
    const buffer = Buffer.alloc(packets.reduce((sum, packet) => sum + packet.length, 0));
    let offset = 0;
    for (const packet of packets) offset += packet.copy(buffer, offset);
    offset = 0;
    return { buffer, ranges: packets.map((packet) => ({ buffer, start: offset, end: (offset += packet.length) })) };
  };

  it('should forward a client’s packets as it sent them, one view of the read for packets read together', async () => {
    const { buffer, ranges } = read(4, 'r/1', 'r/2', 'r/3');
    for (const [i, bytes] of ranges.entries()) packer.add(message('p', `r/${i + 1}`), 'a', 4, bytes);
    await nextTurn();
    expect(emitted).toHaveLength(1);
    expect(emitted[0].record.value).toEqual(buffer);
    expect((emitted[0].record.value as Buffer).buffer).toBe(buffer.buffer);
    expect(JSON.parse(emitted[0].record.headers[DEVICE_MESSAGE_META_HEADER])).toMatchObject({ protocolVersion: 4, count: 3 });
    expect(records()).toEqual([['a:r/1', 'a:r/2', 'a:r/3']]);
  });

  it('should forward packets of several reads as one record whose value is a view of each read, not a copy', async () => {
    const first = read(4, 'r/1', 'r/2');
    const second = read(4, 'r/3');
    for (const [i, bytes] of [...first.ranges, ...second.ranges].entries()) packer.add(message('p', `r/${i + 1}`), 'a', 4, bytes);
    await nextTurn();
    expect(emitted).toHaveLength(1);
    const parts = emitted[0].record.value as readonly Buffer[];
    expect(parts).toHaveLength(2);
    expect(parts[0].buffer).toBe(first.buffer.buffer);
    expect(parts[1].buffer).toBe(second.buffer.buffer);
    expect(Buffer.concat(parts)).toEqual(Buffer.concat([first.buffer, second.buffer]));
    expect(records()).toEqual([['a:r/1', 'a:r/2', 'a:r/3']]);
  });

  it('should start a new record, in order, when a client’s packets change MQTT version', async () => {
    const v4 = read(4, 'v4');
    const v5 = read(5, 'v5');
    packer.add(message('p', 'v4'), 'a', 4, v4.ranges[0]);
    packer.add(message('p', 'written'), 'a'); // no bytes: a 5.0 packet is written
    packer.add(message('p', 'v5'), 'a', 5, v5.ranges[0]);
    await nextTurn();
    expect(records()).toEqual([['a:v4'], ['a:written', 'a:v5']]);
  });

  it('should give a will a record of its own, after what its client published in the turn', async () => {
    packer.add(message('p', 'before'), 'a');
    packer.add({ ...message('p', 'lwt'), will: true }, 'a');
    await nextTurn();
    expect(records()).toEqual([['a:before'], ['a:lwt']]);
    expect(decodeDeviceMessages(toBusRecord(emitted[1].record))[0].meta.will).toBe(true);
  });

  it('should let a turn’s packs die young once handed on, though the packer lives long', async () => {
    // The packer lives as long as the gateway, in V8's old generation; a turn's packs (and
    // the socket bytes they hold) must not outlive a young collection. They did while the
    // turn's Map was cleared rather than replaced: all ~33 MB of payloads here were kept.
    let handedOn = 0;
    const longLived = new DeviceMessagePacker('gw-1', () => handedOn++); // records sent and dropped at once
    const retained = await retainedOver(200, () => {
      for (let client = 0; client < 10; client++) longLived.add(message('p', `t/${client}`, Buffer.alloc(16 * 1024)), `c${client}`);
    });
    expect(handedOn).toBe(200 * 10);
    expect(retained).toBeLessThan(5_000_000);
  }, 30_000); // 200 forced young collections and two full ones (see @iot/testing garbage.spec)
});
