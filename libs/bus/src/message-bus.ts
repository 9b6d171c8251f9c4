import { BusRecord, OutboundRecord } from '@iot/contracts';

/** Handles one record. Resolving acknowledges it; throwing asks for redelivery. */
export type RecordHandler = (record: BusRecord) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group: each record of a topic goes to one member of each group. */
  groupId: string;
  topics: string[];
  /** A group with no committed position starts at the oldest record instead of the newest. */
  fromBeginning?: boolean;
  handler: RecordHandler;
}

export interface BusSubscription {
  close(): Promise<void>;
}

/**
 * The port through which services exchange records: Kafka in cluster mode, an in-process
 * queue in standalone mode. Both keep per-key order within a group and deliver at least once.
 */
export abstract class MessageBus {
  /** Sends records; resolves once the bus has durably accepted all of them. */
  abstract send(records: readonly OutboundRecord[]): Promise<void>;
  /** Starts consuming; resolves once the consumer is part of its group and will see new records. */
  abstract subscribe(options: SubscribeOptions): Promise<BusSubscription>;
  /** Resolves when the bus is reachable; rejects with the reason otherwise (readiness). */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
