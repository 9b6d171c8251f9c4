import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { describeMessageBus } from '../test/message-bus.behaviour';
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
});
