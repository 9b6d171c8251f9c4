import pino from 'pino';
import { describeMessageBus } from '../test/message-bus.behaviour';
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
});
