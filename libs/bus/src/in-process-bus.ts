import type { Logger } from 'pino';
import { BusRecord, OutboundRecord, toBusRecord } from '@iot/contracts';
import { BusSubscription, MessageBus, RecordHandler, SubscribeOptions } from './message-bus';

export interface InProcessBusOptions {
  /** Records kept per topic for groups that subscribe later with fromBeginning. */
  retainPerTopic?: number;
  /**
   * Bytes (values) kept per topic at most, whatever the count: a gateway's device-message
   * record carries up to 256 KiB, so 10,000 of them could otherwise hold gigabytes.
   */
  retainBytesPerTopic?: number;
  /** Upper bound of the retry back-off after a handler failure. */
  maxRetryDelayMs?: number;
}

/**
 * MessageBus for standalone mode: the same records, headers, groups and failure semantics
 * as Kafka, inside one process. Each group consumes a topic strictly in order (like one
 * partition); a failing handler is retried with capped exponential back-off and blocks
 * its group until it succeeds, as a Kafka consumer would — records are never dropped.
 */
export class InProcessBus extends MessageBus {
  private readonly logs = new Map<string, { records: BusRecord[]; bytes: number }>();
  private readonly groups = new Map<string, GroupQueue>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly options: InProcessBusOptions = {},
  ) {
    super();
  }

  async send(records: readonly OutboundRecord[]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const retain = this.options.retainPerTopic ?? 10_000;
    const retainBytes = this.options.retainBytesPerTopic ?? 64 * 1024 * 1024;
    for (const record of records) {
      // Copy: a producer reusing its buffer must not change what consumers read.
      const copy = toBusRecord(record);
      let log = this.logs.get(record.topic);
      if (!log) this.logs.set(record.topic, (log = { records: [], bytes: 0 }));
      log.records.push(copy);
      log.bytes += copy.value?.length ?? 0;
      // Trimmed in steps, not per record: a splice per record would cost O(retain) each.
      if (log.records.length > retain + Math.max(1, retain >> 2) || log.bytes > retainBytes) trim(log, retain, retainBytes * 0.75);
      for (const group of this.groups.values()) if (group.topics.has(record.topic)) group.enqueue(copy);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    if (this.groups.has(options.groupId)) {
      // One member per group in one process: a second member would only ever be idle.
      throw new Error(`consumer group ${options.groupId} already has a member in this process`);
    }
    const group = new GroupQueue(options.groupId, new Set(options.topics), options.handler, this.logger, this.options.maxRetryDelayMs ?? 5_000);
    this.groups.set(options.groupId, group);
    if (options.fromBeginning) {
      for (const topic of options.topics) for (const record of this.logs.get(topic)?.records ?? []) group.enqueue(record);
    }
    return {
      close: async () => {
        this.groups.delete(options.groupId);
        await group.stop();
      },
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.groups.values()].map((group) => group.stop()));
    this.groups.clear();
  }
}

class GroupQueue {
  private readonly queue: BusRecord[] = [];
  private draining?: Promise<void>;
  private stopped = false;

  constructor(
    readonly groupId: string,
    readonly topics: Set<string>,
    private readonly handler: RecordHandler,
    private readonly logger: Logger,
    private readonly maxRetryDelayMs: number,
  ) {}

  enqueue(record: BusRecord): void {
    this.queue.push(record);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  private async drain(): Promise<void> {
    await new Promise(setImmediate); // deliver asynchronously, as a real bus does
    let failures = 0;
    while (!this.stopped && this.queue.length > 0) {
      const record = this.queue[0];
      try {
        await this.handler(record);
        this.queue.shift();
        failures = 0;
      } catch (error) {
        failures++;
        const delay = Math.min(this.maxRetryDelayMs, 50 * 2 ** Math.min(failures, 10));
        this.logger.error({ err: error, topic: record.topic, groupId: this.groupId, attempt: failures, retryInMs: delay }, 'in-process handler failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** Drops a topic's oldest records until at most `records` and `bytes` are left (the newest always stays). */
function trim(log: { records: BusRecord[]; bytes: number }, records: number, bytes: number): void {
  let drop = Math.max(0, log.records.length - records);
  let freed = 0;
  for (let i = 0; i < drop; i++) freed += log.records[i].value?.length ?? 0;
  for (; drop < log.records.length - 1 && log.bytes - freed > bytes; drop++) freed += log.records[drop].value?.length ?? 0;
  log.records.splice(0, drop);
  log.bytes -= freed;
}
