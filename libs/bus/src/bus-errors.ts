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
