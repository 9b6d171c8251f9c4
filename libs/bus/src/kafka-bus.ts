import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Admin, Consumer, IHeaders, ISocketFactory, Kafka, KafkaMessage, Message, Partitioners, Producer, ProducerConfig, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { BusRecord, OutboundRecord } from '@iot/contracts';
import { RecordTooLargeError } from './bus-errors';
import { BusSubscription, MessageBus, SubscribeOptions } from './message-bus';

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  /** Partitions of topics this bus creates; -1 takes the broker's default. */
  topicPartitions?: number;
  /** Replication of topics this bus creates; -1 takes the broker's default. */
  topicReplication?: number;
  /** How long subscribe() waits for the group to form before it fails. */
  joinTimeoutMs?: number;
}

/**
 * MessageBus on Kafka (kafkajs). The producer is idempotent with acks from all in-sync
 * replicas, so an acknowledged send survives a broker failover and retries never
 * duplicate. Topics are created on first use with the configured partitions and replication.
 */
export class KafkaBus extends MessageBus {
  private readonly kafka: Kafka;
  private producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<Consumer>();
  private readonly knownTopics = new Set<string>();
  private connecting?: Promise<void>;
  private renewing?: Promise<void>;
  /** Whether connect() was ever called: close() then has clients to disconnect. */
  private used = false;

  constructor(
    private readonly config: KafkaBusConfig,
    private readonly logger: Logger,
  ) {
    super();
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      socketFactory: noDelaySockets,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...rest } = entry.log;
        const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
        this.logger[level]({ kafka: { namespace: entry.namespace, ...rest } }, message);
      },
    });
    this.producer = this.kafka.producer(PRODUCER_CONFIG);
    this.admin = this.kafka.admin();
  }

  /** Connects the producer and the admin client; called once at boot. */
  connect(): Promise<void> {
    this.used = true;
    // A failed connect is tried again by the next call, not remembered.
    this.connecting ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(
      () => undefined,
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  async send(records: readonly OutboundRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, OutboundRecord[]>();
    for (const record of records) {
      const batch = byTopic.get(record.topic);
      if (batch) batch.push(record);
      else byTopic.set(record.topic, [record]);
    }
    // A topic created just now may not have its metadata everywhere yet (retriable): as in subscribe().
    await retryWhileRetriable(() => this.ensureTopics([...byTopic.keys()]), 10_000);
    const producer = this.producer;
    try {
      await producer.sendBatch({
        acks: -1,
        // A record is a kafkajs message as it is (key, value, headers): no copy per record. A
        // value in parts goes as it is too: the patched record encoder copies the parts into
        // the produce request one after another (patches/kafkajs+2.2.4.patch, encodeRecordSet.js).
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages: messages as Message[] })),
      });
    } catch (error) {
      const types = causeTypes(error);
      if (types.some((type) => TOO_LARGE.has(type))) {
        throw new RecordTooLargeError(`Kafka refused ${records.length === 1 ? 'the record' : `a batch of ${records.length} records`} as too large`, { cause: error });
      }
      if (types.some((type) => PRODUCER_STATE_REFUSED.has(type))) await this.renewProducer(producer, error);
      throw error;
    }
  }

  /**
   * The broker refuses this producer's sequence numbers for good: seen after a Kafka restart
   * with a request in flight (OUT_OF_ORDER_SEQUENCE_NUMBER on every retry, the uplink's
   * publishers held for ever), and kafkajs keeps its producer id and sequences through a
   * reconnect (tulios/kafkajs#598, still open in 2.2.4; librdkafka and the Java client bump
   * the producer instead). A new producer gets a new id and starts its sequences again; the caller's
   * retry goes through it. At least once: the batch in flight at the restart may be in Kafka
   * twice (docs/cluster.md, "What happens when something fails").
   */
  private async renewProducer(refused: Producer, cause: unknown): Promise<void> {
    // Sends that were under way on the refused producer fail too: only the first renews it,
    // and none replaces a producer that has already taken over.
    if (refused !== this.producer) return this.renewing;
    this.logger.warn({ err: cause }, 'kafka: the broker refused the producer state; a new producer (a new id) takes over');
    this.producer = this.kafka.producer(PRODUCER_CONFIG);
    this.connecting = undefined;
    this.renewing = refused
      .disconnect()
      .catch(() => undefined)
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    await this.connect();
    const joinTimeoutMs = this.config.joinTimeoutMs ?? 30_000;
    // On a fresh cluster a topic just created may not have its metadata everywhere yet
    // (UNKNOWN_TOPIC_OR_PARTITION, retriable): every step up to joining retries that.
    await retryWhileRetriable(() => this.ensureTopics(options.topics), joinTimeoutMs);
    const startAt = options.fromBeginning ? new Map<string, string>() : await retryWhileRetriable(() => this.endOffsetsOfUncommitted(options.groupId, options.topics), joinTimeoutMs);
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 15_000,
      heartbeatInterval: 1_000,
      // Long polls end early when records arrive, so this bounds only how long an idle
      // consumer takes to notice disconnect() (and thus shutdown and rebalances).
      maxWaitTimeInMs: 1_000,
      retry: { retries: 10 },
    });
    this.consumers.add(consumer);
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer group ${options.groupId} did not form within ${joinTimeoutMs} ms`)),
        joinTimeoutMs,
      );
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) {
            const offset = startAt.get(`${topic}:${partition}`);
            if (offset !== undefined) consumer.seek({ topic, partition, offset });
          }
        }
        // Only the first generation starts there: GROUP_JOIN fires on every rebalance too,
        // and seeking again would rewind the group to where it began (every record since
        // handled again — seen when a second command-service instance joined).
        startAt.clear();
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.connect();
    await retryWhileRetriable(() => consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false }), joinTimeoutMs);
    await consumer.run({
      eachMessage: ({ topic, message }) => options.handler(fromKafkaMessage(topic, message)),
    });
    try {
      await joined;
    } catch (error) {
      await this.closeConsumer(consumer);
      throw error;
    }
    return { close: () => this.closeConsumer(consumer) };
  }

  async ping(): Promise<void> {
    await this.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((consumer) => this.closeConsumer(consumer)));
    if (this.used) {
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    }
  }

  private async closeConsumer(consumer: Consumer): Promise<void> {
    this.consumers.delete(consumer);
    await consumer.disconnect();
  }

  /**
   * A new group that starts "from the latest record" would otherwise resolve that position
   * lazily, after it joins, and miss whatever is sent in between. Taking the end offsets of
   * the partitions the group has never committed *before* joining, and seeking there once
   * assigned, makes subscribe() exact: every record sent after it is called is consumed.
   */
  private async endOffsetsOfUncommitted(groupId: string, topics: string[]): Promise<Map<string, string>> {
    const startAt = new Map<string, string>();
    for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId, topics })) {
      const fresh = new Set(partitions.filter((p) => p.offset === '-1').map((p) => p.partition));
      if (fresh.size === 0) continue;
      for (const end of await this.admin.fetchTopicOffsets(topic)) {
        if (fresh.has(end.partition)) startAt.set(`${topic}:${end.partition}`, end.offset);
      }
    }
    return startAt;
  }

  private async ensureTopics(topics: string[]): Promise<void> {
    if (topics.every((topic) => this.knownTopics.has(topic))) return;
    (await this.admin.listTopics()).forEach((topic) => this.knownTopics.add(topic));
    const missing = topics.filter((topic) => !this.knownTopics.has(topic));
    if (missing.length === 0) return;
    // Another node may create the same topic at the same moment: createTopics then resolves
    // false. waitForLeaders makes the first send after creation find a leader.
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.config.topicPartitions ?? -1,
        replicationFactor: this.config.topicReplication ?? -1,
      })),
    });
    missing.forEach((topic) => this.knownTopics.add(topic));
  }
}

/**
 * Retries admin calls that fail for a passing reason, such as NOT_COORDINATOR while a fresh
 * cluster is still creating `__consumer_offsets`: kafkajs does not retry those for admin
 * requests by itself.
 */
async function retryWhileRetriable<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** attempt)));
    }
  }
}

const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  // The idempotent producer retries without end; its back-off must not grow to kafkajs's
  // 30 s default, or a send waits that long after the broker is back (and the gateway's
  // publishers held by its uplink with it).
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

/** Kafka's errors for a producer id or sequence it no longer accepts (never retriable with the same producer). */
const PRODUCER_STATE_REFUSED = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** Kafka's errors for a record or batch above the broker's or topic's size limit (never retriable). */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The protocol error types of an error and what it wraps (kafkajs nests them in `cause` and `errors`). */
function causeTypes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown };
  return [
    ...(typeof type === 'string' ? [type] : []),
    ...(cause !== error ? causeTypes(cause, depth + 1) : []),
    ...(Array.isArray(errors) ? errors.flatMap((each) => causeTypes(each, depth + 1)) : []),
  ];
}

function fromKafkaMessage(topic: string, message: KafkaMessage): BusRecord {
  return {
    topic,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: toStringHeaders(message.headers),
  };
}

function toStringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

/**
 * kafkajs's own socket factory, plus TCP_NODELAY (which Kafka's Java client sets and kafkajs
 * does not). Without it a request larger than one segment waits for the broker's delayed ACK
 * before its last segment goes — ~40 ms on Linux, seen as the uplink's latency tail.
 */
const noDelaySockets: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect) : netConnect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  socket.setNoDelay(true);
  return socket;
};
