import { ContractViolation, decodeRecord, encodeRecord } from './contract';
import { Headers } from './headers';
import { RegistryProjectChanged } from './events/registry-project-changed';
import { BusRecord } from './record';

const valid = { projectId: 'acme', change: 'created' as const, name: 'Acme', occurredAt: '2026-01-01T00:00:00.000Z' };

describe('contracts', () => {
  describe(encodeRecord.name, () => {
    it('should key, version and serialise a valid value', () => {
      const record = encodeRecord(RegistryProjectChanged, valid, 'device-registry');
      expect(record.topic).toBe('registry.project.changed.v1');
      expect(record.key).toBe('acme');
      expect(record.headers[Headers.SchemaVersion]).toBe('1');
      expect(record.headers[Headers.EventType]).toBe('RegistryProjectChanged');
      expect(record.headers[Headers.Producer]).toBe('device-registry');
      expect(JSON.parse(record.value!.toString())).toEqual(valid);
    });

    it('should refuse to produce an invalid value, naming the field', () => {
      expect(() => encodeRecord(RegistryProjectChanged, { ...valid, change: 'exploded' as never }, 'x')).toThrow(/change:/);
    });
  });

  describe(decodeRecord.name, () => {
    const record = (over: Partial<BusRecord> = {}): BusRecord => ({ ...encodeRecord(RegistryProjectChanged, valid, 'x'), ...over });

    it('should round-trip a valid record', () => {
      expect(decodeRecord(RegistryProjectChanged, record())).toEqual(valid);
    });

    it('should drop fields the contract does not know', () => {
      const value = Buffer.from(JSON.stringify({ ...valid, extra: 'ignored' }));
      expect(decodeRecord(RegistryProjectChanged, record({ value }))).not.toHaveProperty('extra');
    });

    it.each([
      ['unknown version', { headers: { [Headers.SchemaVersion]: '7' } }, /unknown schema version "7"/],
      ['missing version', { headers: {} }, /missing iot-schema-version/],
      ['empty value', { value: null }, /empty value/],
      ['not JSON', { value: Buffer.from('{nope') }, /not valid JSON/],
      ['an array', { value: Buffer.from('[1]') }, /must be a JSON object/],
      ['a bad field', { value: Buffer.from(JSON.stringify({ ...valid, occurredAt: 'yesterday' })) }, /occurredAt:/],
      ['a missing field', { value: Buffer.from(JSON.stringify({ change: 'created', occurredAt: valid.occurredAt })) }, /projectId:/],
    ])('should reject %s with a ContractViolation', (_case, over, message) => {
      const attempt = () => decodeRecord(RegistryProjectChanged, record(over as Partial<BusRecord>));
      expect(attempt).toThrow(ContractViolation);
      expect(attempt).toThrow(message);
    });
  });
});
