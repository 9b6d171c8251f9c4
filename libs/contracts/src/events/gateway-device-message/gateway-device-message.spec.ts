import { ContractViolation } from '../../contract';
import { Headers } from '../../headers';
import { Topics } from '../../topics';
import { DeviceMessageHeaders, decodeDeviceMessage, encodeDeviceMessage } from './index';

const meta = { projectId: 'p1', clientId: 'c1', deviceId: 'd1', topic: 'a/b', qos: 1 as const, retain: true, receivedAt: '2026-11-23T10:00:00.000Z', node: 'gw-1', contentType: 'text/plain' };

describe('GatewayDeviceMessage', () => {
  it('should carry the payload untouched as the value and the metadata as headers, keyed by device', () => {
    const payload = Buffer.from([0, 1, 255]);
    const record = encodeDeviceMessage(meta, payload, 'mqtt-gateway');
    expect(record.topic).toBe(Topics.GatewayDeviceMessageV1);
    expect(record.key).toBe('p1/d1');
    expect(record.value).toBe(payload);
    expect(record.headers[DeviceMessageHeaders.MqttTopic]).toBe('a/b');
    expect(decodeDeviceMessage(record)).toEqual({ meta: expect.objectContaining(meta), payload });
  });

  it('should key a client the registry does not know by its client id', () => {
    expect(encodeDeviceMessage({ ...meta, deviceId: undefined }, Buffer.alloc(0), 'x').key).toBe('p1/c1');
  });

  it.each([
    ['an unknown schema version', { [Headers.SchemaVersion]: '9' }, /unknown schema version/],
    ['a QoS that is not 0, 1 or 2', { [DeviceMessageHeaders.Qos]: '3' }, /qos/],
    ['a missing topic', { [DeviceMessageHeaders.MqttTopic]: undefined }, /topic/],
    ['a retain flag that is not a boolean', { [DeviceMessageHeaders.Retain]: 'yes' }, /retain/],
  ])('should refuse a record with %s, naming the field', (_name, change, reason) => {
    const record = encodeDeviceMessage(meta, Buffer.from('x'), 'mqtt-gateway');
    const headers = { ...record.headers, ...change } as Record<string, string>;
    for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
    expect(() => decodeDeviceMessage({ ...record, headers })).toThrow(ContractViolation);
    expect(() => decodeDeviceMessage({ ...record, headers })).toThrow(reason);
  });
});
