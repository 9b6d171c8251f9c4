import { OutboundRecord, outboundValueSize } from '@iot/contracts';
import { MessageBus, RecordTooLargeError } from '@iot/bus';

export interface UplinkBufferOptions {
  /**
   * Messages held at most (a record may carry several: its weight); beyond, QoS 0 device
   * messages are dropped and QoS 1/2 publishers held.
   */
  capacity: number;
  /** Records per send, at most. */
  batchSize: number;
  /**
   * Bytes per send, at most (keys, values and headers; a single larger record goes alone).
   * Kafka refuses a partition's batch above `message.max.bytes` (1 MiB by default), and one
   * device's records all go to one partition: a batch must stay under that on its own.
   */
  batchBytes: number;
  /**
   * Under load, a send waits until this long after the previous one began (Kafka's
   * `linger.ms`): fewer, fuller produce requests — each costs the gateway ~0.6 ms of CPU
   * whatever it carries, and Kafka more. A full batch (batchSize records or batchBytes) goes at once, and
   * so does everything once drain() was called. 0: never wait.
   */
  lingerMs: number;
  /** What "under load" means: the uplink carried this rate (msg/s) or more over its last window of a second at least. */
  lingerAboveRate: number;
  /** First wait after a failed send; doubles up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  onSendFailed(error: Error, retryInMs: number): void;
  /** A record the bus refused as too large on its own: it can never be sent, so it is dropped. */
  onRecordRefused(record: OutboundRecord, error: Error): void;
}

/**
 * The gateway's way to the bus: records wait here, in order, and go out in batches, one batch
 * at a time (the idempotent producer keeps order and never duplicates on retry). While the
 * bus is slow or unreachable the buffer fills up to its capacity; a failed batch is retried
 * with back-off until it goes, so nothing accepted is lost while the process lives.
 */
export class UplinkBuffer {
  private readonly queue: OutboundRecord[] = [];
  /** Messages each queued record carries, in step with `queue`. */
  private readonly weights: number[] = [];
  /** Each queued record's size (sizeOf), in step with `queue`. */
  private readonly sizes: number[] = [];
  /** Bytes of the records not yet sent. */
  private queuedBytes = 0;
  /** Ends the linger now, while the pump waits it out. */
  private endLinger?: () => void;
  /** Messages in the records not yet sent. */
  private pending = 0;
  /** Index of the first record not yet sent (the queue is compacted in steps, not per record). */
  private head = 0;
  private sending = false;
  private draining = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private readonly waiting: (() => void)[] = [];
  private readonly emptied: (() => void)[] = [];
  /** After a batch was refused as too large: up to index `until`, batches of `size` at most. */
  private smaller = { until: 0, size: 0 };
  sent = 0;
  failures = 0;
  /** Messages dropped because the bus refused their record as too large. */
  refused = 0;
  /** The messages sent since `rateSince` (performance.now()), and the rate of the last whole window. */
  private rateSince = 0;
  private sentSince = 0;
  private sustainedRate = 0;

  constructor(
    private readonly bus: MessageBus,
    private readonly options: UplinkBufferOptions,
  ) {
    this.retryDelayMs = options.retryDelayMs;
  }

  /** Messages waiting to be sent. */
  get size(): number {
    return this.pending;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  get full(): boolean {
    return this.size >= this.options.capacity;
  }

  /** Queues a record of `weight` messages (even beyond capacity: callers check `full` first where they can wait). */
  push(record: OutboundRecord, weight = 1): void {
    const size = sizeOf(record);
    this.queue.push(record);
    this.weights.push(weight);
    this.sizes.push(size);
    this.pending += weight;
    this.queuedBytes += size;
    // A full batch never waits for the linger: held, a flood would be capped at a batch per linger.
    if (this.endLinger && this.fullBatchWaiting()) this.endLinger();
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
    this.draining = true;
    this.endLinger?.();
    if (this.size > 0) {
      await Promise.race([new Promise<void>((resolve) => this.emptied.push(resolve)), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    }
    this.stopped = true;
    clearTimeout(this.retryTimer);
    return this.size;
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const batch = this.nextBatch();
      if (batch.length === 0) {
        this.sending = false;
        this.notifyEmptied();
        return;
      }
      const startedAt = performance.now();
      try {
        await this.bus.send(batch);
      } catch (error) {
        if (error instanceof RecordTooLargeError) {
          this.tooLarge(batch, error);
          continue;
        }
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
      const messages = this.advance(batch.length);
      this.sent += messages;
      await this.linger(startedAt, messages);
    }
  }

  /**
   * After a send, while the uplink carries `lingerAboveRate` or more — over the last window
   * of a second at least, so that a burst (the messages that came during a stall) is not
   * taken for a flood and held — waits out the rest of `lingerMs` from `startedAt`, unless a
   * full batch is waiting. A trickle is never held back: only a load pays the latency.
   */
  private async linger(startedAt: number, messages: number): Promise<void> {
    const { lingerMs, lingerAboveRate } = this.options;
    const now = performance.now();
    this.sentSince += messages;
    if (now - this.rateSince >= RATE_WINDOW_MS) {
      this.sustainedRate = (this.sentSince * 1000) / (now - this.rateSince);
      this.rateSince = now;
      this.sentSince = 0;
    }
    const rate = this.sustainedRate;
    const wait = startedAt + lingerMs - now;
    if (lingerMs <= 0 || wait < 1 || rate < lingerAboveRate || this.fullBatchWaiting() || this.draining) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endLinger?.(), wait);
      this.endLinger = () => {
        clearTimeout(timer);
        this.endLinger = undefined;
        resolve();
      };
    });
  }

  /** Whether the next send would be full, by records or by bytes. */
  private fullBatchWaiting(): boolean {
    return this.queue.length - this.head >= this.options.batchSize || this.queuedBytes >= this.options.batchBytes;
  }

  /** The records of the next send: in order, bounded by count and by bytes, at least one. */
  private nextBatch(): OutboundRecord[] {
    const end = Math.min(this.queue.length, this.head + (this.head < this.smaller.until ? this.smaller.size : this.options.batchSize));
    let bytes = 0;
    let i = this.head;
    for (; i < end; i++) {
      bytes += this.sizes[i];
      if (bytes > this.options.batchBytes && i > this.head) break;
    }
    return this.queue.slice(this.head, i);
  }

  /**
   * A batch refused as too large goes again in halves, and so on down to single records, so
   * the bus takes every record it can and only a record refused on its own is dropped
   * (reported, never silent).
   */
  private tooLarge(batch: OutboundRecord[], error: RecordTooLargeError): void {
    if (batch.length > 1) {
      this.smaller = { until: Math.max(this.smaller.until, this.head + batch.length), size: Math.ceil(batch.length / 2) };
      return;
    }
    this.options.onRecordRefused(batch[0], error);
    this.refused += this.advance(1);
  }

  /** Moves past `count` records; returns the messages they carried. */
  private advance(count: number): number {
    let messages = 0;
    for (let i = this.head; i < this.head + count; i++) {
      messages += this.weights[i];
      this.queuedBytes -= this.sizes[i];
      // A sent record is let go at once, not at the next compaction: held for thousands of
      // records (~150 ms at 30k msg/s) it outlived V8's young generation, was promoted, and
      // every scavenge until then copied it — the fan-in's scavenges took 9 ms instead of 6.
      this.queue[i] = SENT;
    }
    this.pending -= messages;
    this.head += count;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.weights.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.smaller.until = Math.max(0, this.smaller.until - this.head);
      this.head = 0;
    }
    if (!this.full) for (const resolve of this.waiting.splice(0)) resolve();
    return messages;
  }

  private notifyEmptied(): void {
    for (const resolve of this.emptied.splice(0)) resolve();
  }
}

/** The uplink's rate, for the linger, is taken over windows at least this long (ms). */
const RATE_WINDOW_MS = 1_000;

/** Stands in the queue for a record already sent (see `advance`). */
const SENT: OutboundRecord = Object.freeze({ topic: '', key: null, value: null, headers: {} });

/** Roughly what a record weighs on the wire: its key, value and headers, plus framing. */
function sizeOf(record: OutboundRecord): number {
  let size = 32 + (record.key?.length ?? 0) + outboundValueSize(record.value);
  for (const name in record.headers) size += name.length + record.headers[name].length + 2;
  return size;
}
