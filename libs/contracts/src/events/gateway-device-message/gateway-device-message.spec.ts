import { generate } from 'mqtt-packet';
import { ContractViolation } from '../../contract';
import { Headers } from '../../headers';
import { BusRecord, outboundValueSize, toBusRecord } from '../../record';
import { Topics } from '../../topics';
import { DEVICE_MESSAGE_META_HEADER, DEVICE_MESSAGE_PACK_LIMITS, DeviceMessageFrame, DeviceMessagePack, DeviceMessageProperties, decodeDeviceMessages, deviceRecordIdentity, encodePublishFrame } from './index';

const client = { projectId: 'p1', clientId: 'c1', deviceId: 'd1', node: 'gw-1' };
const at = Date.parse('2026-11-23T10:00:00.000Z');
const frame = (topic: string, extra: Partial<DeviceMessageFrame> = {}, properties?: DeviceMessageProperties): DeviceMessageFrame => ({ topic, qos: 1, retain: false, ...extra, properties });
const pack = (protocolVersion: 3 | 4 | 5 = 5, extra: { will?: boolean } = {}) => new DeviceMessagePack(deviceRecordIdentity(client), { protocolVersion, receivedAt: at, ...extra });

/** PUBLISH packets as a device would send them, written by MQTT.js's own encoder, back to back in one buffer. */
function deviceBytes(protocolVersion: 4 | 5, ...packets: Parameters<typeof generate>[0][]): { buffer: Buffer; ranges: [number, number][] } {
  const encoded = packets.map((packet) => generate(packet, { protocolVersion }));
  const ranges: [number, number][] = [];
  let offset = 3; // as if a PINGREQ-sized something came first in the same read
  for (const bytes of encoded) ranges.push([offset, (offset += bytes.length)]);
  return { buffer: Buffer.concat([Buffer.from([0xc0, 0, 0]), ...encoded, Buffer.from([0xc0, 0])]), ranges };
}

const long = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));

describe('GatewayDeviceMessage', () => {
  it('should carry a client’s packets as it sent them in one record keyed by its device, each decoded with its metadata and its payload untouched', () => {
    const { buffer, ranges } = deviceBytes(
      5,
      { cmd: 'publish', topic: 'a/b', qos: 0, retain: true, dup: false, payload: Buffer.from([0, 1, 255]), properties: { contentType: 'text/plain', userProperties: { unit: 'kWh', tag: ['x', 'y'] } } },
      { cmd: 'publish', topic: 'ünï/çødé', qos: 2, messageId: 7, retain: false, dup: true, payload: Buffer.from('temp=21'), properties: { payloadFormatIndicator: true, correlationData: Buffer.from('cid'), responseTopic: 'r/1', messageExpiryInterval: 60, topicAlias: 3 } },
      { cmd: 'publish', topic: 'empty', qos: 1, messageId: 8, retain: false, dup: false, payload: Buffer.alloc(0), properties: { payloadFormatIndicator: false } },
    );
    const p = pack();
    for (const [start, end] of ranges) p.addPacket(buffer, start, end);
    p.addMessage(frame('long'), long); // one the gateway has no packet for
    const record = p.toRecord();
    expect(record.topic).toBe(Topics.GatewayDeviceMessageV1);
    expect(record.key).toBe('p1/d1');
    expect(record.headers[Headers.SchemaVersion]).toBe('3');
    expect(JSON.parse(record.headers[DEVICE_MESSAGE_META_HEADER])).toEqual({ ...client, count: 4, protocolVersion: 5, receivedAt: at });

    // Two ranges: the three packets of the read (a view of it) and the packet written for the fourth.
    const parts = record.value as readonly Buffer[];
    expect(parts).toHaveLength(2);
    expect(parts[0].buffer).toBe(buffer.buffer);
    expect(outboundValueSize(parts)).toBe(ranges[2][1] - ranges[0][0] + parts[1].length);

    const decoded = decodeDeviceMessages(toBusRecord(record));
    expect(decoded.map((m) => m.payload)).toEqual([Buffer.from([0, 1, 255]), Buffer.from('temp=21'), Buffer.alloc(0), long]);
    const receivedAt = '2026-11-23T10:00:00.000Z';
    expect(decoded[0].meta).toEqual({ ...client, topic: 'a/b', qos: 0, retain: true, receivedAt, contentType: 'text/plain', userProperties: { unit: 'kWh', tag: ['x', 'y'] } });
    expect(decoded[1].meta).toEqual({ ...client, topic: 'ünï/çødé', qos: 2, retain: false, receivedAt, payloadFormatIndicator: true, correlationData: Buffer.from('cid').toString('base64'), responseTopic: 'r/1' });
    expect(decoded[2].meta).toEqual({ ...client, topic: 'empty', qos: 1, retain: false, receivedAt, payloadFormatIndicator: false });
    expect(decoded[3].meta).toEqual({ ...client, topic: 'long', qos: 1, retain: false, receivedAt });
  });

  it('should keep packets that lie back to back in one read as a view of it, not a copy', () => {
    const { buffer, ranges } = deviceBytes(4, ...['x/1', 'x/2', 'x/3'].map((topic) => ({ cmd: 'publish' as const, topic, qos: 0 as const, retain: false, dup: false, payload: Buffer.from(topic) })));
    const p = pack(4);
    for (const [start, end] of ranges) p.addPacket(buffer, start, end);
    const record = toBusRecord(p.toRecord());
    const value = p.toRecord().value as Buffer;
    expect(value.buffer).toBe(buffer.buffer);
    expect(value.length).toBe(ranges[2][1] - ranges[0][0]);
    expect(decodeDeviceMessages(record).map(({ meta, payload }) => `${meta.topic}=${payload}`)).toEqual(['x/1=x/1', 'x/2=x/2', 'x/3=x/3']);
  });

  it('should read 3.1.1 packets, which have no properties, and write them for 3.1.1', () => {
    const { buffer, ranges } = deviceBytes(4, { cmd: 'publish', topic: 't/1', qos: 1, messageId: 1, retain: false, dup: false, payload: Buffer.from('a') });
    const p = pack(4);
    p.addPacket(buffer, ...ranges[0]);
    p.addMessage(frame('t/2', { qos: 2, retain: true }, { contentType: 'dropped: 3.1.1 has none' }), Buffer.from('b'));
    expect(decodeDeviceMessages(toBusRecord(p.toRecord())).map(({ meta, payload }) => [meta.topic, meta.qos, meta.retain, meta.contentType, `${payload}`])).toEqual([
      ['t/1', 1, false, undefined, 'a'],
      ['t/2', 2, true, undefined, 'b'],
    ]);
  });

  it('should mark the messages of a will record as wills', () => {
    const p = pack(5, { will: true });
    p.addMessage(frame('lwt', { qos: 1 }, { contentType: 'text/plain' }), Buffer.from('gone'));
    const [message] = decodeDeviceMessages(toBusRecord(p.toRecord()));
    expect(message.meta).toMatchObject({ topic: 'lwt', will: true, contentType: 'text/plain' });
    expect(`${message.payload}`).toBe('gone');
  });

  it('should write packets any MQTT parser reads', () => {
    const bytes = encodePublishFrame(frame('a/é', { qos: 1 }, { userProperties: { k: ['1', '2'] }, correlationData: Buffer.from('c') }), Buffer.from('p'), 5);
    const parsed: unknown[] = [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parser = require('mqtt-packet').parser({ protocolVersion: 5 });
    parser.on('packet', (packet: unknown) => parsed.push(packet));
    parser.parse(bytes);
    expect(parsed).toEqual([expect.objectContaining({ cmd: 'publish', topic: 'a/é', qos: 1, payload: Buffer.from('p'), properties: { userProperties: { k: ['1', '2'] }, correlationData: Buffer.from('c') } })]);
  });

  it('should key a client the registry does not know by its client id', () => {
    const p = new DeviceMessagePack(deviceRecordIdentity({ ...client, deviceId: undefined }), { protocolVersion: 5, receivedAt: at });
    p.addMessage(frame('t'), Buffer.from('x'));
    expect(p.toRecord().key).toBe('p1/c1');
  });

  it('should write the meta header as the JSON of the meta: without a device the registry does not know, with will only on a will', () => {
    for (const [ref, extra] of [[client, {}], [{ ...client, deviceId: undefined }, { will: true }]] as const) {
      const p = new DeviceMessagePack(deviceRecordIdentity(ref), { protocolVersion: 4, receivedAt: at, ...extra });
      p.addMessage(frame('t'), Buffer.from('x'));
      p.addMessage(frame('t'), Buffer.from('y'));
      const header = p.toRecord().headers[DEVICE_MESSAGE_META_HEADER];
      const { projectId, clientId, deviceId, node } = ref;
      expect(header).toBe(JSON.stringify({ projectId, clientId, deviceId, node, count: 2, protocolVersion: 4, receivedAt: at, ...extra }));
    }
  });

  it('should say when a pack is full, by messages or by bytes', () => {
    const p = pack();
    expect(p.wouldOverflow(DEVICE_MESSAGE_PACK_LIMITS.bytes * 2)).toBe(false); // an empty pack takes anything
    p.addMessage(frame('t'), Buffer.alloc(10));
    expect(p.wouldOverflow(DEVICE_MESSAGE_PACK_LIMITS.bytes)).toBe(true);
    for (let i = 1; i < DEVICE_MESSAGE_PACK_LIMITS.messages; i++) p.addMessage(frame('t'), Buffer.alloc(0));
    expect(p.wouldOverflow(0)).toBe(true);
  });

  it('should still read version 2 records, written by gateways before version 3', () => {
    // flags (QoS 1 | RETAIN | properties) · receivedAt f64 · topic · properties JSON · payload
    const topic = Buffer.from('v2/t');
    const properties = Buffer.from(JSON.stringify({ contentType: 'x' }));
    const head = Buffer.alloc(11);
    head[0] = 1 | 4 | 64;
    head.writeDoubleBE(at, 1);
    head.writeUInt16BE(topic.length, 9);
    const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const record: BusRecord = {
      topic: Topics.GatewayDeviceMessageV1,
      key: 'p1/d1',
      value: Buffer.concat([head, topic, u32(properties.length), properties, u32(2), Buffer.from('ok')]),
      headers: { [Headers.SchemaVersion]: '2', [Headers.EventType]: 'GatewayDeviceMessage', [DEVICE_MESSAGE_META_HEADER]: JSON.stringify({ ...client, count: 1 }) },
    };
    const [message] = decodeDeviceMessages(record);
    expect(message.meta).toEqual({ ...client, topic: 'v2/t', qos: 1, retain: true, receivedAt: '2026-11-23T10:00:00.000Z', contentType: 'x' });
    expect(`${message.payload}`).toBe('ok');
  });

  const validPack = pack();
  validPack.addMessage(frame('a/b', {}, { contentType: 'x' }), Buffer.from('payload'));
  const valid = toBusRecord(validPack.toRecord());
  const withValue = (mutate: (value: Buffer) => Buffer) => ({ ...valid, value: mutate(Buffer.from(valid.value!)) });
  const withHeader = (name: string, text: string) => ({ ...valid, headers: { ...valid.headers, [name]: text } });
  const withMeta = (change: object) => withHeader(DEVICE_MESSAGE_META_HEADER, JSON.stringify({ ...client, count: 1, protocolVersion: 5, receivedAt: at, ...change }));
  /** A value holding one packet for 'a/b' (QoS 1) whose property block is `properties`. */
  const withProperties = (properties: number[]) => {
    const body = [0, 3, ...Buffer.from('a/b'), 0, 1, properties.length, ...properties, ...Buffer.from('p')];
    return { ...valid, value: Buffer.from([0x32, body.length, ...body]) };
  };

  it.each([
    ['an unknown schema version', withHeader(Headers.SchemaVersion, '1'), /unknown schema version "1"/],
    ['a header that is not JSON', withHeader(DEVICE_MESSAGE_META_HEADER, 'not json'), /is not a JSON object/],
    ['a project id that is not one', withMeta({ projectId: 'no spaces please' }), /projectId/],
    ['a missing node', withMeta({ node: undefined }), /node/],
    ['an MQTT version that is not one', withMeta({ protocolVersion: 6 }), /protocolVersion/],
    ['no arrival time', withMeta({ receivedAt: undefined }), /receivedAt/],
    ['a count that does not match', withMeta({ count: 2 }), /header says 2 messages, the value holds 1/],
    ['a value cut short', withValue((v) => v.subarray(0, v.length - 3)), /message 1 is truncated/],
    ['a packet that is no PUBLISH', withValue((v) => ((v[0] = 0x40), v)), /message 1 is no PUBLISH packet/],
    ['QoS 3', withValue((v) => ((v[0] |= 0x06), v)), /message 1 has QoS 3/],
    ['a malformed Remaining Length', withValue(() => Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), /malformed or truncated Remaining Length/],
    ['an unknown property', withProperties([0x7f, 0]), /unknown property 0x7f/],
    ['a property cut short', withProperties([0x03, 0, 9, 0x61]), /truncated properties/],
  ])('should refuse a record with %s, naming what is wrong', (_name, record, reason) => {
    expect(() => decodeDeviceMessages(record)).toThrow(ContractViolation);
    expect(() => decodeDeviceMessages(record)).toThrow(reason);
  });

  it('should refuse a packet whose topic is an alias alone (the gateway writes those out)', () => {
    const aliasOnly = generate({ cmd: 'publish', topic: '', qos: 0, retain: false, dup: false, payload: Buffer.from('x'), properties: { topicAlias: 1 } }, { protocolVersion: 5 });
    expect(() => decodeDeviceMessages({ ...valid, value: aliasOnly })).toThrow(/message 1 has an empty topic/);
  });
});
