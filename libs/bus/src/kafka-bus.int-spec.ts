import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { describeMessageBus, eventually } from '../test/message-bus.behaviour';
import { RecordTooLargeError } from './bus-errors';
import { KafkaBus } from './kafka-bus';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describeMessageBus(KafkaBus.name, async () => {
  const bus = new KafkaBus({ brokers, clientId: 'bus-int-spec', topicPartitions: 3 }, pino({ level: 'warn' }));
  await bus.connect();
  return bus;
});

describe(`${KafkaBus.name} specifics`, () => {
  it('should fail ping when no broker answers', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'unreachable' }, pino({ level: 'silent' }));
    await expect(bus.ping()).rejects.toThrow();
    await bus.close();
  }, 60_000);

  it('should refuse a record above the topic size limit as RecordTooLargeError, and still take the next ones', async () => {
    const topic = `bus-int-too-large-${Date.now()}`;
    const admin = new Kafka({ brokers, clientId: 'bus-int-spec-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }] });
    await admin.disconnect();
    const bus = new KafkaBus({ brokers, clientId: 'bus-int-spec-too-large' }, pino({ level: 'silent' }));
    try {
      const sent = bus.send([{ topic, key: 'k', value: Buffer.alloc(8_192), headers: {} }]);
      await expect(sent).rejects.toBeInstanceOf(RecordTooLargeError);
      await expect(bus.send([{ topic, key: 'k', value: Buffer.alloc(100), headers: {} }])).resolves.toBeUndefined();
    } finally {
      await bus.close();
    }
  }, 60_000);

  it('should not rewind a new group when it rebalances: a member that joins later makes no record be handled twice', async () => {
    const topic = `bus-int-rebalance-${Date.now()}`;
    const groupId = `bus-int-rebalance-${Date.now()}`;
    const buses = [0, 1].map((i) => new KafkaBus({ brokers, clientId: `bus-int-rebalance-${i}`, topicPartitions: 3 }, pino({ level: 'silent' })));
    const handled: string[] = [];
    const handler = async (record: { value: Buffer | null }) => void handled.push(record.value!.toString());
    const send = (from: number, to: number) =>
      buses[0].send(Array.from({ length: to - from }, (_, i) => ({ topic, key: `device-${(from + i) % 7}`, value: Buffer.from(String(from + i)), headers: {} })));
    try {
      await buses[0].subscribe({ groupId, topics: [topic], handler });
      await send(0, 30);
      await eventually(() => expect(handled).toHaveLength(30));
      // A second member joins: the group rebalances, and the first member must carry on from
      // where it is, not from where the group started.
      await buses[1].subscribe({ groupId, topics: [topic], handler });
      await send(30, 60);
      await eventually(() => expect(new Set(handled).size).toBe(60));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(handled.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    } finally {
      await Promise.all(buses.map((bus) => bus.close()));
    }
  }, 90_000);
});
