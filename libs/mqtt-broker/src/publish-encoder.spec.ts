import mqttPacket, { IPublishPacket } from 'mqtt-packet';
import { encodePublish } from './publish-encoder';

describe(encodePublish.name, () => {
  it.each([
    [0, false, false, undefined, 4, 10],
    [1, true, false, 42, 4, 200],
    [2, false, true, 65535, 4, 20_000],
    [0, true, false, undefined, 5, 0],
    [1, false, true, 7, 5, 3_000_000],
    [2, true, true, 1, 3, 5],
  ] as const)('should match mqtt-packet for qos %i retain %p dup %p id %p v%i payload %i bytes', (qos, retain, dup, id, version, size) => {
    const payload = Buffer.alloc(size, 7);
    const topic = 'sensors/ü/temp';
    const expected = mqttPacket.generate({ cmd: 'publish', topic, payload, qos, retain, dup, ...(id !== undefined ? { messageId: id } : {}), ...(version === 5 ? { properties: {} } : {}) } as IPublishPacket, { protocolVersion: version });
    expect(encodePublish(topic, payload, qos, retain, dup, id, version).equals(expected)).toBe(true);
  });
});
