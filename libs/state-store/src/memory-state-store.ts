import { StateStore } from './state-store';

type Entry = { kind: 'string'; value: string; expiresAt?: number } | { kind: 'hash'; value: Map<string, string>; expiresAt?: number };

/**
 * StateStore for standalone mode, with Redis's semantics for the operations it offers
 * (expiry, empty hashes vanish, type errors). Expired keys are removed on access and by a
 * periodic sweep that never keeps the process alive.
 */
export class MemoryStateStore extends StateStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 30_000, private readonly now: () => number = Date.now) {
    super();
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref();
  }

  async get(key: string): Promise<string | null> {
    const entry = this.live(key);
    if (!entry) return null;
    if (entry.kind !== 'string') throw wrongType(key);
    return entry.value;
  }

  async set(key: string, value: string, options: { ttlMs?: number } = {}): Promise<void> {
    this.entries.set(key, { kind: 'string', value, expiresAt: options.ttlMs === undefined ? undefined : this.now() + options.ttlMs });
  }

  async delete(...keys: string[]): Promise<number> {
    return keys.filter((key) => this.live(key) && this.entries.delete(key)).length;
  }

  async hashGet(key: string, field: string): Promise<string | null> {
    return this.hash(key)?.get(field) ?? null;
  }

  async hashSet(key: string, fields: Record<string, string>): Promise<void> {
    let hash = this.hash(key);
    if (!hash) {
      hash = new Map();
      this.entries.set(key, { kind: 'hash', value: hash });
    }
    for (const [field, value] of Object.entries(fields)) hash.set(field, value);
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.hash(key) ?? []);
  }

  async hashSize(key: string): Promise<number> {
    return this.hash(key)?.size ?? 0;
  }

  async hashDelete(key: string, ...fields: string[]): Promise<number> {
    const hash = this.hash(key);
    if (!hash) return 0;
    const removed = fields.filter((field) => hash.delete(field)).length;
    if (hash.size === 0) this.entries.delete(key);
    return removed;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private hash(key: string): Map<string, string> | undefined {
    const entry = this.live(key);
    if (!entry) return undefined;
    if (entry.kind !== 'hash') throw wrongType(key);
    return entry.value;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }
}

function wrongType(key: string): Error {
  return new Error(`WRONGTYPE Operation against a key holding the wrong kind of value: ${key}`);
}
