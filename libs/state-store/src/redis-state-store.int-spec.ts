import { describeStateStore } from '../test/state-store.behaviour';
import { RedisStateStore } from './redis-state-store';

describeStateStore(RedisStateStore.name, async () => {
  const store = new RedisStateStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: 'int-spec:' });
  await store.connect();
  return store;
});

describe(`${RedisStateStore.name} when Redis is unreachable`, () => {
  it('should fail to connect and fail ping', async () => {
    const store = new RedisStateStore({ url: 'redis://127.0.0.1:1' });
    store.redis.options.retryStrategy = () => null;
    await expect(store.connect()).rejects.toThrow();
    await expect(store.ping()).rejects.toThrow();
    await store.close();
  });
});
