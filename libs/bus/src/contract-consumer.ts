import type { Logger } from 'pino';
import { BusRecord, Contract, ContractViolation, Headers, decodeRecord, deadLetterTopicOf } from '@iot/contracts';
import { PermanentRecordError } from './bus-errors';
import { BusSubscription, MessageBus } from './message-bus';

export interface ContractConsumerOptions<T extends object> {
  contract: Contract<T>;
  groupId: string;
  fromBeginning?: boolean;
  /** Receives only validated values. Throw PermanentRecordError to dead-letter, anything else to retry. */
  handle: (value: T, record: BusRecord) => Promise<void>;
  logger: Logger;
}

/** A consumer of a topic whose records decode in their own way (e.g. several messages per record). */
export interface RecordConsumerOptions<T> extends Omit<ContractConsumerOptions<object>, 'contract' | 'handle'> {
  topic: string;
  /** Decodes and validates a record. @throws ContractViolation to dead-letter it. */
  decode: (record: BusRecord) => T;
  handle: (value: T, record: BusRecord) => Promise<void>;
}

/**
 * Consumes one contract with validation at the boundary (STYLE rule 2): a record that is
 * malformed, of an unknown schema version, or permanently rejected by its handler is copied
 * to the topic's dead-letter topic with the reason in its headers, logged, and acknowledged,
 * so one bad record never stalls the consumer. A dead-letter write that fails is retried
 * like any transient failure: nothing is dropped.
 */
export async function consumeContract<T extends object>(bus: MessageBus, options: ContractConsumerOptions<T>): Promise<BusSubscription> {
  const { contract, ...rest } = options;
  return consumeRecords(bus, { ...rest, topic: contract.topic, decode: (record) => decodeRecord(contract, record) });
}

/** consumeContract for any decoder: the same validation at the boundary and dead-lettering. */
export async function consumeRecords<T>(bus: MessageBus, options: RecordConsumerOptions<T>): Promise<BusSubscription> {
  const { topic: sourceTopic, decode, groupId, handle, logger } = options;

  const deadLetter = async (record: BusRecord, reason: string): Promise<void> => {
    const topic = deadLetterTopicOf(record.topic);
    await bus.send([
      {
        topic,
        key: record.key,
        value: record.value,
        headers: {
          ...record.headers,
          [Headers.DeadLetterReason]: reason,
          [Headers.DeadLetterSourceTopic]: record.topic,
          [Headers.DeadLetterConsumerGroup]: groupId,
        },
      },
    ]);
    logger.warn({ topic: record.topic, key: record.key, groupId, deadLetterTopic: topic, reason }, 'record dead-lettered');
  };

  return bus.subscribe({
    groupId,
    topics: [sourceTopic],
    fromBeginning: options.fromBeginning,
    handler: async (record) => {
      let value: T;
      try {
        value = decode(record);
      } catch (error) {
        if (error instanceof ContractViolation) return deadLetter(record, error.reason);
        throw error;
      }
      try {
        await handle(value, record);
      } catch (error) {
        if (error instanceof PermanentRecordError) return deadLetter(record, error.message);
        logger.error({ err: error, topic: record.topic, key: record.key, groupId }, 'record handler failed; will retry');
        throw error;
      }
    },
  });
}
