/** Record headers every producer sets and every consumer may read. */
export const Headers = {
  /** Integer schema version of the value, e.g. `1`. A consumer dead-letters versions it does not know. */
  SchemaVersion: 'iot-schema-version',
  /** Contract name, e.g. `RegistryProjectChanged`. */
  EventType: 'iot-event-type',
  /** Service that produced the record, e.g. `device-registry`. */
  Producer: 'iot-producer',
  /** ISO-8601 time the record was produced. */
  ProducedAt: 'iot-produced-at',
  /** On a dead-lettered record: why it was rejected. */
  DeadLetterReason: 'iot-dlt-reason',
  /** On a dead-lettered record: the topic it was read from. */
  DeadLetterSourceTopic: 'iot-dlt-source-topic',
  /** On a dead-lettered record: the consumer group that rejected it. */
  DeadLetterConsumerGroup: 'iot-dlt-consumer-group',
} as const;

export type RecordHeaders = Record<string, string>;
