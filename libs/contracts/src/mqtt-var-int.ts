/**
 * MQTT's Variable Byte Integer [MQTT-1.5.5] (Remaining Length, property lengths): the one
 * encoding of it that the broker's encoder and the device-message records both use.
 */

/** Its value and the offset after it; undefined if malformed (over 4 bytes) or cut short. */
export function readVarInt(buf: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= buf.length) return undefined;
    const byte = buf[pos + i];
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, next: pos + i + 1 };
    multiplier *= 128;
  }
  return undefined;
}

/** Bytes `value` takes. */
export function varIntSize(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

/** Writes `value` at `offset`; returns the offset after it. */
export function writeVarInt(out: Buffer, value: number, offset: number): number {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out[offset++] = byte;
  } while (value > 0);
  return offset;
}
