/**
 * Thrown by a record handler for a record that can never succeed (it refers to something
 * that is not there, breaks a business rule): the record goes to the dead-letter topic
 * instead of being retried. Any other error is treated as transient and retried.
 */
export class PermanentRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentRecordError';
  }
}

/**
 * Thrown by `MessageBus.send` when the bus refuses a batch because a record (or the batch)
 * is larger than it accepts (Kafka: MESSAGE_TOO_LARGE). Retrying the same batch can never
 * succeed: the sender sends smaller batches, and gives up on a single record refused so.
 */
export class RecordTooLargeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordTooLargeError';
  }
}
