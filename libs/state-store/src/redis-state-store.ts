import Redis from 'ioredis';
import { StateStore } from './state-store';

export interface RedisStateStoreConfig {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  keyPrefix?: string;
}

/** StateStore on Redis (ioredis). Commands issued while reconnecting are queued, then retried. */
export class RedisStateStore extends StateStore {
  /** The underlying client, for adapters that need more than this port (sessions, routes). */
  readonly redis: Redis;

  constructor(config: RedisStateStoreConfig) {
    super();
    this.redis = new Redis(config.url, {
      keyPrefix: config.keyPrefix,
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
    });
  }

  /** Opens the connection; rejects if Redis does not answer. Called once at boot. */
  async connect(): Promise<void> {
    if (this.redis.status === 'wait') await this.redis.connect();
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async set(key: string, value: string, options: { ttlMs?: number } = {}): Promise<void> {
    if (options.ttlMs === undefined) await this.redis.set(key, value);
    else await this.redis.set(key, value, 'PX', options.ttlMs);
  }

  async delete(...keys: string[]): Promise<number> {
    return keys.length === 0 ? 0 : this.redis.del(...keys);
  }

  async hashGet(key: string, field: string): Promise<string | null> {
    return this.redis.hget(key, field);
  }

  async hashSet(key: string, fields: Record<string, string>): Promise<void> {
    if (Object.keys(fields).length > 0) await this.redis.hset(key, fields);
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    return this.redis.hgetall(key);
  }

  async hashSize(key: string): Promise<number> {
    return this.redis.hlen(key);
  }

  async hashDelete(key: string, ...fields: string[]): Promise<number> {
    return fields.length === 0 ? 0 : this.redis.hdel(key, ...fields);
  }

  async ping(): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`redis connection is ${this.redis.status}`);
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
