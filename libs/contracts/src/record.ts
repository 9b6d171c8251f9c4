import { RecordHeaders } from './headers';

/** A record as it travels on the bus, whatever the bus (Kafka or in-process). */
export interface BusRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: RecordHeaders;
}
