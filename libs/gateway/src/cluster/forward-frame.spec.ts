import type { Message } from '@iot/mqtt-broker';
import { FORWARD_FRAME_MAGIC, ForwardBatch, decodeForwardBatch, encodeForwardBatch } from './forward-frame';

const message = (overrides: Partial<Message> = {}): Message => ({
  projectId: 'p1',
  topic: 'meters/1/telemetry',
  payload: Buffer.from('{"kwh":1.5}'),
  qos: 1,
  retain: false,
  origin: 'meter-1',
  originDeviceId: 'dev-1',
  ...overrides,
});

/**
 * What a decoded message must equal: the input without its undefined fields, its payload as
 * hex (Jest compares a Buffer index by index: a second for the 100 KB one below).
 */
const defined = (m: Message) => ({ ...Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)), payload: m.payload.toString('hex') });

const roundTrip = (batch: ForwardBatch) => decodeForwardBatch(encodeForwardBatch(batch));

describe('forward frame', () => {
  it('should carry every field of a batch of varied messages, in order', () => {
    const items = [
      { message: message(), groups: [] },
      // Same publisher and topic as the one before: written as "same".
      { message: message({ payload: Buffer.from([0, 1, 2, 255]), qos: 0 }), groups: [] },
      { message: message({ topic: 'meters/2/telemetry', retain: true, qos: 2 }), groups: ['g1/meters/+/telemetry', 'g2/#'] },
      { message: message({ projectId: 'p2', origin: undefined, originDeviceId: undefined, payload: Buffer.alloc(0) }), groups: [] },
      { message: message({ projectId: 'p2', origin: 'other', originDeviceId: undefined, topic: 'ünïcødé/✓' }), groups: [] },
      { message: message({ will: true, expiresAt: 1_796_000_000_123, trackingId: 'track-1' }), groups: [] },
      {
        message: message({
          properties: {
            payloadFormatIndicator: true,
            contentType: 'application/json',
            responseTopic: 'reply/here',
            correlationData: Buffer.from([9, 8, 7]),
            userProperties: { unit: 'kWh', tags: ['a', 'b'] },
            messageExpiryInterval: 60,
          },
          expiresAt: 1_796_000_060_000,
        }),
        groups: [],
      },
      { message: message({ payload: Buffer.alloc(100_000, 7) }), groups: [] },
    ];
    const decoded = roundTrip({ from: 'node-a', batch: 4_000_000_000, items });
    expect(decoded.from).toBe('node-a');
    expect(decoded.batch).toBe(4_000_000_000);
    expect(decoded.items.map((item) => item.groups)).toEqual(items.map((item) => item.groups));
    expect(decoded.items.map((item) => defined(item.message))).toEqual(items.map((item) => defined(item.message)));
    expect(decoded.items.every((item) => Buffer.isBuffer(item.message.payload))).toBe(true);
    expect(Buffer.isBuffer(decoded.items[6].message.properties!.correlationData)).toBe(true);
  });

  it('should carry payloads as they are, not in base64, and say a run of one publisher once', () => {
    const payload = Buffer.from('0123456789abcdef');
    const items = Array.from({ length: 100 }, () => ({ message: message({ payload }), groups: [] }));
    const frame = encodeForwardBatch({ from: 'node-a', batch: 1, items });
    // Per message after the first: flags, payload length, payload.
    const first = encodeForwardBatch({ from: 'node-a', batch: 1, items: items.slice(0, 1) }).length;
    expect(frame.length).toBe(first + 99 * (1 + 4 + payload.length));
    expect(frame.indexOf(payload)).toBeGreaterThan(0);
  });

  it('should encode an empty batch', () => {
    expect(roundTrip({ from: 'n', batch: 0, items: [] })).toEqual({ from: 'n', batch: 0, items: [] });
  });

  it('should refuse a frame cut at any byte, with an error rather than a wrong batch', () => {
    const frame = encodeForwardBatch({ from: 'node-a', batch: 7, items: [{ message: message({ expiresAt: 5 }), groups: ['g/#'] }, { message: message(), groups: [] }] });
    for (let length = 0; length < frame.length; length++) {
      expect(() => decodeForwardBatch(frame.subarray(0, length))).toThrow();
    }
  });

  it('should refuse what is not a batch of its version', () => {
    const frame = encodeForwardBatch({ from: 'node-a', batch: 7, items: [{ message: message(), groups: [] }] });
    expect(() => decodeForwardBatch(Buffer.from('{"type":"publish-ack","batch":1}'))).toThrow('not a forwarded batch');
    const otherVersion = Buffer.from(frame);
    otherVersion[1] = 2;
    expect(() => decodeForwardBatch(otherVersion)).toThrow('version 2');
    expect(() => decodeForwardBatch(Buffer.concat([frame, Buffer.from([0])]))).toThrow('bytes after the last');
    expect(frame[0]).toBe(FORWARD_FRAME_MAGIC);
  });

  it('should refuse a first message that refers to one before it, and QoS 3', () => {
    const frame = encodeForwardBatch({ from: 'n', batch: 1, items: [{ message: message(), groups: [] }] });
    // The first item's flags follow magic, version, batch, from ("n": 4 + 1) and the count.
    const flagsAt = 1 + 1 + 4 + 5 + 4;
    const same = Buffer.from(frame);
    same[flagsAt] |= 0x40;
    expect(() => decodeForwardBatch(same)).toThrow('refers to one before it');
    const qos3 = Buffer.from(frame);
    qos3[flagsAt] |= 0x03;
    expect(() => decodeForwardBatch(qos3)).toThrow('QoS 3');
  });
});
