import mqtt, { Packet } from 'mqtt-packet';
import { FrameBounds, decodeFrame, frameBounds, partialFrameLength } from './frame-decoder';

/** What mqtt-packet's full parser makes of the same bytes: the reference. */
function parseFully(bytes: Buffer, version: 3 | 4 | 5): Packet {
  const parser = mqtt.parser({ protocolVersion: version });
  let parsed: Packet | undefined;
  parser.on('packet', (packet: Packet) => (parsed = packet));
  parser.on('error', (error: Error) => {
    throw error;
  });
  parser.parse(bytes);
  return parsed!;
}

const decode = (bytes: Buffer, version: 3 | 4 | 5) => {
  const bounds = frameBounds(bytes, 0, { bodyStart: 0, end: 0 });
  return bounds && decodeFrame(bytes, 0, bounds, version);
};

describe('frame decoder (the fast path beside mqtt-packet)', () => {
  it.each([
    ['QoS 0 PUBLISH', { cmd: 'publish', topic: 'a/b', payload: Buffer.from('hi'), qos: 0, retain: false, dup: false }, 4],
    ['QoS 1 PUBLISH with RETAIN', { cmd: 'publish', topic: 'sensors/ü/1', payload: Buffer.alloc(300, 7), qos: 1, retain: true, dup: false, messageId: 513 }, 4],
    ['QoS 2 DUP PUBLISH, 3.1', { cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 2, retain: false, dup: true, messageId: 65535 }, 3],
    ['5.0 PUBLISH without properties', { cmd: 'publish', topic: 'v5/t', payload: Buffer.from('x'), qos: 1, retain: false, dup: false, messageId: 9 }, 5],
    ['PUBACK', { cmd: 'puback', messageId: 77 }, 4],
    ['PUBREC', { cmd: 'pubrec', messageId: 1 }, 4],
    ['PUBREL', { cmd: 'pubrel', messageId: 2 }, 4],
    ['PUBCOMP', { cmd: 'pubcomp', messageId: 3 }, 4],
    ['PINGREQ', { cmd: 'pingreq' }, 4],
  ] as const)('should decode a %s exactly as mqtt-packet does', (_name, packet, version) => {
    const bytes = mqtt.generate(packet as unknown as Packet, { protocolVersion: version });
    const fast = decode(bytes, version) as unknown as Record<string, unknown>;
    const full = parseFully(bytes, version) as unknown as Record<string, unknown>;
    // The fields each packet type carries (mqtt-packet also fills defaults like topic: null on acks).
    const fields = packet.cmd === 'publish' ? ['cmd', 'topic', 'qos', 'retain', 'dup', 'messageId', 'length'] : packet.cmd === 'pingreq' ? ['cmd', 'length'] : ['cmd', 'messageId', 'length'];
    for (const key of fields) expect([key, fast[key]]).toEqual([key, full[key]]);
    if (packet.cmd === 'publish') expect(Buffer.compare(fast.payload as Buffer, full.payload as Buffer)).toBe(0);
  });

  it.each([
    ['a 5.0 PUBLISH with properties', mqtt.generate({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { contentType: 'text/plain' } }, { protocolVersion: 5 }), 5],
    ['a 5.0 PUBACK with a reason code', mqtt.generate({ cmd: 'puback', messageId: 1, reasonCode: 0x10 }, { protocolVersion: 5 }), 5],
    ['a SUBSCRIBE', mqtt.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] }), 4],
    ['a PUBLISH with QoS 3', Buffer.from([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]), 4],
    ['a QoS 0 PUBLISH with DUP', Buffer.from([0x38, 0x03, 0x00, 0x01, 0x74]), 4],
    ['a PUBREL with reserved flags 0000', Buffer.from([0x60, 0x02, 0x00, 0x01]), 4],
    ['a PUBACK with reserved flags set', Buffer.from([0x41, 0x02, 0x00, 0x01]), 4],
    ['a PUBLISH whose topic length overruns the packet', Buffer.from([0x30, 0x03, 0x00, 0x09, 0x74]), 4],
  ] as const)('should leave %s to the full parser', (_name, bytes, version) => {
    expect(decode(Buffer.from(bytes), version)).toBeUndefined();
  });

  it('should find frame bounds with multi-byte lengths, and wait for incomplete frames', () => {
    const big = mqtt.generate({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(20_000), qos: 0, retain: false, dup: false });
    const out: FrameBounds = { bodyStart: 0, end: 0 };
    expect(frameBounds(big, 0, out)).toEqual({ bodyStart: 4, end: big.length });
    expect(frameBounds(big.subarray(0, big.length - 1), 0, out)).toBeUndefined();
    expect(frameBounds(big.subarray(0, 2), 0, out)).toBeUndefined();
    // Five length bytes is malformed: not a frame the fast path accepts.
    expect(frameBounds(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, out)).toBeUndefined();
  });

  it('should tell how long a frame cut short will be, to carry it over to the next chunk', () => {
    const big = mqtt.generate({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(20_000), qos: 0, retain: false, dup: false });
    expect(partialFrameLength(big.subarray(0, 100), 0, 1_000_000)).toBe(big.length);
    expect(partialFrameLength(Buffer.concat([Buffer.from([0xc0, 0x00]), big.subarray(0, 2)]), 2, 1_000_000)).toBe(0); // header cut
    expect(partialFrameLength(big.subarray(0, 100), 0, 1_000)).toBeUndefined(); // over the maximum
    expect(partialFrameLength(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 1_000_000)).toBeUndefined(); // malformed
  });
});
