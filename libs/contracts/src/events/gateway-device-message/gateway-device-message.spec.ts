import { ContractViolation } from '../../contract';
import { Headers } from '../../headers';
import { Topics } from '../../topics';
import { DEVICE_MESSAGE_META_HEADER, decodeDeviceMessage, encodeDeviceMessage } from './index';

const meta = { projectId: 'p1', clientId: 'c1', deviceId: 'd1', topic: 'a/b', qos: 1 as const, retain: true, receivedAt: '2026-11-23T10:00:00.000Z', node: 'gw-1', contentType: 'text/plain' };

describe('GatewayDeviceMessage', () => {
  it('should carry the payload untouched as the value and the metadata as headers, keyed by device', () => {
    const payload = Buffer.from([0, 1, 255]);
    const record = encodeDeviceMessage(meta, payload);
    expect(record.topic).toBe(Topics.GatewayDeviceMessageV1);
    expect(record.key).toBe('p1/d1');
    expect(record.value).toBe(payload);
    expect(JSON.parse(record.headers[DEVICE_MESSAGE_META_HEADER])).toMatchObject({ topic: 'a/b', qos: 1 });
    expect(decodeDeviceMessage(record)).toEqual({ meta: expect.objectContaining(meta), payload });
  });

  it('should key a client the registry does not know by its client id', () => {
    expect(encodeDeviceMessage({ ...meta, deviceId: undefined }, Buffer.alloc(0)).key).toBe('p1/c1');
  });

  it.each([
    ['an unknown schema version', { [Headers.SchemaVersion]: '9' }, undefined, /unknown schema version/],
    ['metadata that is not JSON', {}, 'not json', /is not a JSON object/],
    ['a QoS that is not 0, 1 or 2', {}, { qos: 3 }, /qos/],
    ['a missing topic', {}, { topic: undefined }, /topic/],
    ['a project id that is not one', {}, { projectId: 'no spaces please' }, /projectId/],
    ['a missing node', {}, { node: undefined }, /node/],
    ['user properties that are not an object', {}, { userProperties: 'unit=kWh' }, /userProperties/],
    ['correlation data that is not base64', {}, { correlationData: 'not base64!' }, /correlationData/],
    ['a retain flag that is not a boolean', {}, { retain: 'yes' }, /retain/],
  ])('should refuse a record with %s, naming the field', (_name, headers, metaChange, reason) => {
    const record = encodeDeviceMessage(meta, Buffer.from('x'));
    const metaText = metaChange === undefined ? record.headers[DEVICE_MESSAGE_META_HEADER] : typeof metaChange === 'string' ? metaChange : JSON.stringify({ ...meta, ...metaChange });
    const broken = { ...record, headers: { ...record.headers, ...headers, [DEVICE_MESSAGE_META_HEADER]: metaText } };
    expect(() => decodeDeviceMessage(broken)).toThrow(ContractViolation);
    expect(() => decodeDeviceMessage(broken)).toThrow(reason);
  });
});
