/**
 * MQTT's Two Byte Integer [MQTT-1.5.2] (topic lengths, packet identifiers), big-endian, as
 * bytes rather than through Buffer#readUInt16BE / #writeUInt16BE: Node's Buffer methods are
 * JavaScript shared by every caller in the process, and in the cluster gateway, with kafkajs,
 * ioredis and pino calling them too, their type feedback is no longer the broker's alone —
 * the hot path ran ~45% slower per message in `encodePublish` than in memory
 * (docs/benchmarks-history.md). The UTF-8 conversions (toString, write, byteLength) stay: they have
 * no documented equivalent outside Buffer.
 */

export function readTwoByteInteger(buf: Buffer, at: number): number {
  return (buf[at] << 8) | buf[at + 1];
}

/** Writes `value` at `at`; returns the offset after it. */
export function writeTwoByteInteger(out: Buffer, value: number, at: number): number {
  out[at] = value >> 8;
  out[at + 1] = value & 0xff;
  return at + 2;
}
