import pino from 'pino';
import { KafkaBus } from './kafka-bus';

/**
 * A unit test of the producer's renewal, with kafkajs replaced (the state it reacts to — a
 * broker refusing a producer's sequence numbers after a restart — cannot be brought about on
 * demand against a real Kafka; kafka-bus.int-spec.ts covers the rest on a real one).
 */
const producers: FakeProducer[] = [];

class FakeProducer {
  connected = 0;
  disconnected = 0;
  sent: unknown[] = [];
  /** Errors the next sends reject with, in turn. */
  failures: unknown[] = [];
  async connect(): Promise<void> {
    this.connected++;
  }
  async disconnect(): Promise<void> {
    this.disconnected++;
  }
  async sendBatch(batch: unknown): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(batch);
  }
}

jest.mock('kafkajs', () => ({
  ...jest.requireActual('kafkajs'),
  Kafka: class {
    producer() {
      const producer = new FakeProducer();
      producers.push(producer);
      return producer;
    }
    admin() {
      return { connect: async () => undefined, disconnect: async () => undefined, listTopics: async () => ['t'] };
    }
  },
}));

/** What kafkajs rejects a send with when the broker refused the sequence: the protocol error, wrapped. */
const refusedSequence = () =>
  Object.assign(new Error('Number of retries exceeded'), {
    name: 'KafkaJSNonRetriableError',
    cause: Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false }),
  });

const record = { topic: 't', key: 'k', value: Buffer.from('v'), headers: {} };

describe('KafkaBus producer renewal', () => {
  beforeEach(() => (producers.length = 0));

  it('should start a new producer (a new producer id) when the broker refuses its sequence numbers, and send the retry through it', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:9'], clientId: 'renewal' }, pino({ level: 'silent' }));
    producers[0].failures.push(refusedSequence());
    await expect(bus.send([record])).rejects.toThrow('Number of retries exceeded');
    expect(producers).toHaveLength(2);
    expect(producers[0].disconnected).toBe(1);
    await bus.send([record]); // the caller's retry
    expect(producers[1].connected).toBe(1);
    expect(producers[1].sent).toHaveLength(1);
    expect(producers[0].sent).toHaveLength(0);
    await bus.close();
    expect(producers[1].disconnected).toBe(1);
  });

  it('should renew once when several sends under way are refused together, and never replace the producer that took over', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:9'], clientId: 'renewal' }, pino({ level: 'silent' }));
    // The second send under way is refused only after the renewal is over.
    let calls = 0;
    producers[0].sendBatch = async () => {
      if (calls++ > 0) await new Promise((resolve) => setTimeout(resolve, 30));
      throw refusedSequence();
    };
    const results = await Promise.allSettled([bus.send([record]), bus.send([record])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(producers).toHaveLength(2);
    await bus.send([record]);
    expect(producers[1].sent).toHaveLength(1);
    await bus.close();
  });

  it('should keep its producer for other failures (kafkajs retries those itself)', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:9'], clientId: 'renewal' }, pino({ level: 'silent' }));
    producers[0].failures.push(Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }));
    await expect(bus.send([record])).rejects.toThrow('Connection error');
    await bus.send([record]);
    expect(producers).toHaveLength(1);
    expect(producers[0].sent).toHaveLength(1);
    await bus.close();
  });

  it('should try to connect again after a failed connect instead of failing for good', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:9'], clientId: 'renewal' }, pino({ level: 'silent' }));
    const connect = producers[0].connect.bind(producers[0]);
    producers[0].connect = async () => {
      producers[0].connect = connect;
      throw new Error('no broker');
    };
    await expect(bus.send([record])).rejects.toThrow('no broker');
    await bus.send([record]);
    expect(producers[0].sent).toHaveLength(1);
    await bus.close();
  });
});
