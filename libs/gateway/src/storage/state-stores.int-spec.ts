import { retainedStoreBehaviour, sessionStoreBehaviour } from '@iot/mqtt-broker/testing';
import { RedisStateStore } from '@iot/state-store';
import { testInfra } from '@iot/testing';
import { StateRetainedStore } from './state-retained-store';
import { StateSessionStore } from './state-session-store';

/** The broker's stores on the real Redis, as a gateway cluster uses them. */
describe('gateway stores on Redis', () => {
  let redis: RedisStateStore;
  const clear = async () => {
    await redis.delete('mqtt:session:p1:c1', 'mqtt:retained:p1', 'mqtt:retained:p2', 'mqtt:retained-projects');
  };
  beforeAll(async () => {
    redis = new RedisStateStore({ url: testInfra.redisUrl, keyPrefix: `gateway-stores-${process.pid}:` });
    await redis.connect();
    await clear();
  });
  afterAll(async () => {
    await clear();
    await redis.close();
  });

  describe('StateSessionStore', () => {
    sessionStoreBehaviour(() => new StateSessionStore(redis), clear);
  });

  describe('StateRetainedStore', () => {
    retainedStoreBehaviour(() => new StateRetainedStore(redis), clear);
  });
});
