import type { Packet } from 'mqtt-packet';
import { readTwoByteInteger } from './two-byte-integer';

/** Where the frame starting at a given offset has its body, and where it ends. */
export interface FrameBounds {
  bodyStart: number;
  end: number;
}

/**
 * Reads the fixed header of the frame at `pos` [MQTT-2.1.4]: undefined when the chunk holds
 * only part of it, or when the Remaining Length is malformed (the full parser reports that).
 * Writes into `out` instead of allocating: this runs for every packet.
 */
export function frameBounds(buf: Buffer, pos: number, out: FrameBounds): FrameBounds | undefined {
  let length = 0;
  let multiplier = 1;
  let i = pos + 1;
  for (let n = 0; n < 4; n++) {
    if (i >= buf.length) return undefined;
    const byte = buf[i++];
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      if (i + length > buf.length) return undefined;
      out.bodyStart = i;
      out.end = i + length;
      return out;
    }
    multiplier *= 128;
  }
  return undefined;
}

/**
 * For the bytes from `pos`, the start of a frame cut short by the end of the chunk: how many
 * bytes the whole frame takes (0 while even its fixed header is incomplete) — bytes to carry
 * over to the next chunk. Undefined for a malformed Remaining Length or a frame declaring
 * more than `max` bytes (the full parser reports those).
 */
export function partialFrameLength(buf: Buffer, pos: number, max: number): number | undefined {
  let length = 0;
  let multiplier = 1;
  let i = pos + 1;
  for (let n = 0; n < 4; n++) {
    if (i >= buf.length) return 0;
    const byte = buf[i++];
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return length <= max ? i - pos + length : undefined;
    multiplier *= 128;
  }
  return undefined;
}

const ACKS: Record<number, 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'> = { 4: 'puback', 5: 'pubrec', 6: 'pubrel', 7: 'pubcomp' };

/**
 * Decodes, straight from the socket's chunk, the packets that make up nearly all traffic
 * after CONNECT: PUBLISH without 5.0 properties, PUBACK/PUBREC/PUBREL/PUBCOMP without a
 * reason code, PINGREQ. Anything else — and anything unusual about these (reserved flag
 * bits, QoS 3, DUP on QoS 0, properties) — returns undefined and goes to mqtt-packet's full
 * parser, which validates it. The payload is a view of the chunk, as with mqtt-packet; a
 * PUBLISH also names where its whole packet lies in the chunk (see InboundPublish).
 */
export function decodeFrame(buf: Buffer, pos: number, bounds: FrameBounds, version: 3 | 4 | 5): Packet | undefined {
  const first = buf[pos];
  const type = first >> 4;
  const flags = first & 0x0f;
  const { bodyStart, end } = bounds;
  const length = end - bodyStart;
  if (type === 3) {
    const qos = (flags >> 1) & 3;
    const dup = (flags & 0x08) !== 0;
    // [MQTT-3.3.1-4] QoS 3 is malformed; [MQTT-3.3.1-2] DUP must be 0 on QoS 0.
    if (qos === 3 || (qos === 0 && dup)) return undefined;
    let p = bodyStart;
    if (p + 2 > end) return undefined;
    const topicEnd = p + 2 + readTwoByteInteger(buf, p);
    if (topicEnd > end) return undefined;
    const topic = buf.toString('utf8', p + 2, topicEnd);
    p = topicEnd;
    let messageId: number | undefined;
    if (qos > 0) {
      if (p + 2 > end) return undefined;
      messageId = readTwoByteInteger(buf, p);
      p += 2;
    }
    if (version === 5) {
      // Properties need the full parser; an empty property block is one zero byte.
      if (p >= end || buf[p] !== 0) return undefined;
      p += 1;
    }
    // Its bytes go with it: the uplink forwards them as they are (InboundPublish).
    return { cmd: 'publish', retain: (flags & 0x01) !== 0, qos: qos as 0 | 1 | 2, dup, length, topic, payload: buf.subarray(p, end), messageId, bytes: buf, bytesStart: pos, bytesEnd: end } as Packet;
  }
  const ack = ACKS[type];
  if (ack) {
    // [MQTT-3.6.1-1] PUBREL has flags 0010; the others 0000. A 5.0 reason code needs the parser.
    if (flags !== (type === 6 ? 0x02 : 0) || length !== 2) return undefined;
    return { cmd: ack, messageId: readTwoByteInteger(buf, bodyStart), length } as Packet;
  }
  if (type === 12 && flags === 0 && length === 0) return { cmd: 'pingreq', length: 0 } as Packet;
  return undefined;
}
