/**
 * The port to shared, fast, non-durable state: sessions, presence, routes and caches.
 * Redis in cluster mode, process memory in standalone mode. Values are strings; callers
 * own their encoding. Keys should be namespaced by their owner (`cache:…`, `presence:…`).
 */
export abstract class StateStore {
  abstract get(key: string): Promise<string | null>;
  /** Sets a value, optionally expiring after `ttlMs`. */
  abstract set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
  /** Deletes keys; resolves to how many existed. */
  abstract delete(...keys: string[]): Promise<number>;
  abstract hashGet(key: string, field: string): Promise<string | null>;
  abstract hashSet(key: string, fields: Record<string, string>): Promise<void>;
  abstract hashGetAll(key: string): Promise<Record<string, string>>;
  /** Number of fields in a hash; 0 when it does not exist. */
  abstract hashSize(key: string): Promise<number>;
  /** Deletes fields of a hash; resolves to how many existed. */
  abstract hashDelete(key: string, ...fields: string[]): Promise<number>;
  /** Resolves when the store is reachable; rejects with the reason otherwise (readiness). */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
