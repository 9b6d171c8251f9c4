import { RecordHeaders } from './headers';

/** A record as it travels on the bus, whatever the bus (Kafka or in-process), and as consumers read it. */
export interface BusRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: RecordHeaders;
}

/**
 * A record's value on its way to the bus: one buffer, or several written back to back as one
 * value. A gateway's device-message record is ranges of the socket reads its packets came in:
 * concatenating them into a fresh buffer of up to 256 kB per record was the uplink's largest
 * single cost (docs/benchmarks.md, "Where the uplink's cost goes"); the Kafka producer copies
 * them straight into the produce request instead, the in-process bus into its copy.
 */
export type OutboundValue = Buffer | readonly Buffer[] | null;

/** A record a producer hands the bus: as BusRecord, its value possibly in parts. */
export interface OutboundRecord extends Omit<BusRecord, 'value'> {
  value: OutboundValue;
}

/** Bytes of a value, in one buffer or in parts (0 for none). */
export function outboundValueSize(value: OutboundValue): number {
  if (value === null) return 0;
  if (Buffer.isBuffer(value)) return value.length;
  let size = 0;
  for (const part of value) size += part.length;
  return size;
}

/**
 * The record as a consumer reads it: its value in one buffer of its own, never sharing memory
 * with the producer's (a producer may reuse its buffers once the send resolves).
 */
export function toBusRecord(record: OutboundRecord): BusRecord {
  const { value } = record;
  return {
    ...record,
    value: value === null ? null : Buffer.isBuffer(value) ? Buffer.from(value) : Buffer.concat(value, outboundValueSize(value)),
    headers: { ...record.headers },
  };
}
