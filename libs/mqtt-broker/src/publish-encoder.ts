import { varIntSize, writeVarInt } from '@iot/contracts';
import { writeTwoByteInteger } from './two-byte-integer';

// Bound once, at load: compiled to CommonJS, each use of a name imported from a library's
// index goes through the re-export's getter, one generic closure for every export, which V8
// cannot inline — twice per delivery here was ~1.5% of the broker's CPU in the QoS 0 flood.
const sizeOfVarInt = varIntSize;
const putVarInt = writeVarInt;

/**
 * Encodes a PUBLISH without properties (every 3.1.1 delivery, and 5.0 deliveries that carry
 * none) straight into one buffer: the hot path of the broker, where a generic encoder's
 * per-packet objects cost more than the copy itself (spec 3.3).
 */
export function encodePublish(topic: string, payload: Buffer, qos: 0 | 1 | 2, retain: boolean, dup: boolean, packetId: number | undefined, version: 3 | 4 | 5): Buffer {
  const topicLength = Buffer.byteLength(topic);
  const remaining = 2 + topicLength + (qos > 0 ? 2 : 0) + (version === 5 ? 1 : 0) + payload.length;
  const out = Buffer.allocUnsafe(1 + sizeOfVarInt(remaining) + remaining);
  out[0] = 0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
  let pos = putVarInt(out, remaining, 1);
  pos = writeTwoByteInteger(out, topicLength, pos);
  pos += out.write(topic, pos, 'utf8');
  if (qos > 0) pos = writeTwoByteInteger(out, packetId!, pos);
  if (version === 5) out[pos++] = 0; // no properties
  // TypedArray#set, not Buffer#copy: see two-byte-integer.ts.
  out.set(payload, pos);
  return out;
}

/**
 * Encodes PUBACK (0x40), PUBREC (0x50), PUBREL (0x62) or PUBCOMP (0x70) without properties;
 * a 5.0 reason code is written only when it is not Success (spec 3.4.2.1).
 */
export function encodeAck(firstByte: 0x40 | 0x50 | 0x62 | 0x70, packetId: number, reasonCode = 0, version: 3 | 4 | 5 = 4): Buffer {
  if (version === 5 && reasonCode !== 0) return Buffer.from([firstByte, 3, packetId >> 8, packetId & 0xff, reasonCode]);
  return Buffer.from([firstByte, 2, packetId >> 8, packetId & 0xff]);
}
