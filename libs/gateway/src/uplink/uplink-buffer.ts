import type { BusRecord } from '@iot/contracts';
import type { MessageBus } from '@iot/bus';

export interface UplinkBufferOptions {
  /** Records held at most; beyond, QoS 0 device messages are dropped and QoS 1/2 publishers held. */
  capacity: number;
  /** Records per send. */
  batchSize: number;
  /** First wait after a failed send; doubles up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  onSendFailed(error: Error, retryInMs: number): void;
}

/**
 * The gateway's way to the bus: records wait here, in order, and go out in batches, one batch
 * at a time (the idempotent producer keeps order and never duplicates on retry). While the
 * bus is slow or unreachable the buffer fills up to its capacity; a failed batch is retried
 * with back-off until it goes, so nothing accepted is lost while the process lives.
 */
export class UplinkBuffer {
  private readonly queue: BusRecord[] = [];
  /** Index of the first record not yet sent (the queue is compacted in steps, not per record). */
  private head = 0;
  private sending = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private readonly waiting: (() => void)[] = [];
  private readonly emptied: (() => void)[] = [];
  sent = 0;
  failures = 0;

  constructor(
    private readonly bus: MessageBus,
    private readonly options: UplinkBufferOptions,
  ) {
    this.retryDelayMs = options.retryDelayMs;
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  get full(): boolean {
    return this.size >= this.options.capacity;
  }

  /** Queues a record (even beyond capacity: callers check `full` first where they can wait). */
  push(record: BusRecord): void {
    this.queue.push(record);
    if (!this.sending && !this.retryTimer) {
      this.sending = true;
      // Let the rest of this event-loop turn add to the batch.
      setImmediate(() => void this.pump());
    }
  }

  /** Resolves once the buffer is below capacity again. */
  room(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves when everything buffered was sent, or after `timeoutMs`; resolves to what is left. */
  async drain(timeoutMs: number): Promise<number> {
    if (this.size > 0) {
      await Promise.race([new Promise<void>((resolve) => this.emptied.push(resolve)), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    }
    this.stopped = true;
    clearTimeout(this.retryTimer);
    return this.size;
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const batch = this.queue.slice(this.head, this.head + this.options.batchSize);
      if (batch.length === 0) {
        this.sending = false;
        this.notifyEmptied();
        return;
      }
      try {
        await this.bus.send(batch);
      } catch (error) {
        this.failures++;
        const delay = this.retryDelayMs;
        this.retryDelayMs = Math.min(delay * 2, this.options.maxRetryDelayMs);
        this.options.onSendFailed(error as Error, delay);
        this.sending = false;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.sending = true;
          void this.pump();
        }, delay);
        return;
      }
      this.retryDelayMs = this.options.retryDelayMs;
      this.head += batch.length;
      this.sent += batch.length;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (!this.full) for (const resolve of this.waiting.splice(0)) resolve();
    }
  }

  private notifyEmptied(): void {
    for (const resolve of this.emptied.splice(0)) resolve();
  }
}
