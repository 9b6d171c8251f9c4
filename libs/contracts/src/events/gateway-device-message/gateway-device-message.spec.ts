import { ContractViolation } from '../../contract';
import { Headers } from '../../headers';
import { BusRecord } from '../../record';
import { Topics } from '../../topics';
import { DEVICE_MESSAGE_META_HEADER, DEVICE_MESSAGE_PACK_LIMITS, DeviceMessageFrame, DeviceMessagePack, DeviceMessageProperties, decodeDeviceMessages } from './index';

const client = { projectId: 'p1', clientId: 'c1', deviceId: 'd1', node: 'gw-1' };
const at = Date.parse('2026-11-23T10:00:00.000Z');
const frame = (topic: string, extra: Partial<DeviceMessageFrame> = {}, properties?: DeviceMessageProperties): DeviceMessageFrame => ({ topic, qos: 1, retain: false, ...extra, properties });

const packOf = (...messages: [DeviceMessageFrame, Buffer][]): BusRecord => {
  const pack = new DeviceMessagePack(client);
  for (const [f, payload] of messages) pack.add(f, at, payload);
  return pack.toRecord();
};

const long = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));

describe('GatewayDeviceMessage', () => {
  it('should carry a client’s messages in one record keyed by its device, each with its metadata and its payload untouched', () => {
    const record = packOf(
      [frame('a/b', { qos: 0, retain: true }, { contentType: 'text/plain', userProperties: { unit: 'kWh', tag: ['x', 'y'] } }), Buffer.from([0, 1, 255])],
      [frame('ünï/çødé', { qos: 2, will: true }, { payloadFormatIndicator: true, correlationData: Buffer.from('cid'), responseTopic: 'r/1' }), Buffer.from('temp=21')],
      [frame('empty', {}, { payloadFormatIndicator: false }), Buffer.alloc(0)],
      [frame('long'), long],
    );
    expect(record.topic).toBe(Topics.GatewayDeviceMessageV1);
    expect(record.key).toBe('p1/d1');
    expect(JSON.parse(record.headers[DEVICE_MESSAGE_META_HEADER])).toEqual({ ...client, count: 4 });

    const decoded = decodeDeviceMessages(record);
    expect(decoded.map((m) => m.payload)).toEqual([Buffer.from([0, 1, 255]), Buffer.from('temp=21'), Buffer.alloc(0), long]);
    expect(decoded[0].meta).toEqual({ ...client, topic: 'a/b', qos: 0, retain: true, receivedAt: '2026-11-23T10:00:00.000Z', contentType: 'text/plain', userProperties: { unit: 'kWh', tag: ['x', 'y'] } });
    expect(decoded[1].meta).toEqual({ ...client, topic: 'ünï/çødé', qos: 2, retain: false, receivedAt: '2026-11-23T10:00:00.000Z', will: true, payloadFormatIndicator: true, correlationData: Buffer.from('cid').toString('base64'), responseTopic: 'r/1' });
    expect(decoded[2].meta).toEqual({ ...client, topic: 'empty', qos: 1, retain: false, receivedAt: '2026-11-23T10:00:00.000Z', payloadFormatIndicator: false });
    expect(decoded[3].meta).toEqual({ ...client, topic: 'long', qos: 1, retain: false, receivedAt: '2026-11-23T10:00:00.000Z' });
  });

  it('should key a client the registry does not know by its client id', () => {
    const pack = new DeviceMessagePack({ ...client, deviceId: undefined });
    pack.add(frame('t'), at, Buffer.from('x'));
    expect(pack.toRecord().key).toBe('p1/c1');
  });

  it('should say when a pack is full, by messages or by bytes', () => {
    const pack = new DeviceMessagePack(client);
    expect(pack.wouldOverflow(DEVICE_MESSAGE_PACK_LIMITS.bytes * 2)).toBe(false); // an empty pack takes anything
    pack.add(frame('t'), at, Buffer.alloc(10));
    expect(pack.wouldOverflow(DEVICE_MESSAGE_PACK_LIMITS.bytes)).toBe(true);
    for (let i = 1; i < DEVICE_MESSAGE_PACK_LIMITS.messages; i++) pack.add(frame('t'), at, Buffer.alloc(0));
    expect(pack.wouldOverflow(0)).toBe(true);
  });

  const valid = packOf([frame('a/b', {}, { contentType: 'x' }), Buffer.from('payload')]);
  const withValue = (mutate: (value: Buffer) => Buffer) => ({ ...valid, value: mutate(Buffer.from(valid.value!)) });
  const withHeader = (name: string, text: string) => ({ ...valid, headers: { ...valid.headers, [name]: text } });
  const withMeta = (change: object) => withHeader(DEVICE_MESSAGE_META_HEADER, JSON.stringify({ ...client, count: 1, ...change }));
  /** The properties frame of `valid` replaced by `json`. */
  const withProperties = (json: string) => {
    const topicEnd = 11 + 3;
    const oldLength = valid.value!.readUInt32BE(topicEnd);
    const props = Buffer.from(json);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(props.length);
    return { ...valid, value: Buffer.concat([valid.value!.subarray(0, topicEnd), length, props, valid.value!.subarray(topicEnd + 4 + oldLength)]) };
  };

  it.each([
    ['an unknown schema version', withHeader(Headers.SchemaVersion, '1'), /unknown schema version "1"/],
    ['a header that is not JSON', withHeader(DEVICE_MESSAGE_META_HEADER, 'not json'), /is not a JSON object/],
    ['a project id that is not one', withMeta({ projectId: 'no spaces please' }), /projectId/],
    ['a missing node', withMeta({ node: undefined }), /node/],
    ['a count that does not match', withMeta({ count: 2 }), /header says 2 messages, the value holds 1/],
    ['a value cut short', withValue((v) => v.subarray(0, v.length - 3)), /truncated in message 1/],
    ['QoS 3', withValue((v) => ((v[0] = (v[0] & ~3) | 3), v)), /invalid flags/],
    ['a reserved flag', withValue((v) => ((v[0] |= 0x80), v)), /invalid flags/],
    ['properties that are not JSON', withProperties('{nope'), /properties is not a JSON object/],
    ['user properties that are not an object', withProperties('{"userProperties":"unit=kWh"}'), /userProperties/],
    ['correlation data that is not base64', withProperties('{"correlationData":"not base64!"}'), /correlationData/],
  ])('should refuse a record with %s, naming what is wrong', (_name, record, reason) => {
    expect(() => decodeDeviceMessages(record)).toThrow(ContractViolation);
    expect(() => decodeDeviceMessages(record)).toThrow(reason);
  });

  it('should refuse a message with an empty topic', () => {
    expect(() => decodeDeviceMessages(packOf([frame(''), Buffer.from('x')]))).toThrow(/empty topic/);
  });
});
