import { readTwoByteInteger, writeTwoByteInteger } from './two-byte-integer';

describe('Two Byte Integer [MQTT-1.5.2]', () => {
  it('should write big-endian as Buffer#writeUInt16BE does and read back every value', () => {
    for (const value of [0, 1, 255, 256, 0x1234, 65_534, 65_535]) {
      const out = Buffer.alloc(4, 0xee);
      expect(writeTwoByteInteger(out, value, 1)).toBe(3);
      const reference = Buffer.alloc(4, 0xee);
      reference.writeUInt16BE(value, 1);
      expect(out.equals(reference)).toBe(true);
      expect(readTwoByteInteger(out, 1)).toBe(value);
    }
  });
});
