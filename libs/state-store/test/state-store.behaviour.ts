import { randomUUID } from 'node:crypto';
import { StateStore } from '../src/state-store';

/** The behaviour every StateStore must have; run against memory (unit) and Redis (integration). */
export function describeStateStore(name: string, createStore: () => Promise<StateStore>): void {
  describe(name, () => {
    let store: StateStore;
    const key = (suffix: string) => `test:${randomUUID()}:${suffix}`;

    beforeAll(async () => {
      store = await createStore();
    });
    afterAll(async () => {
      await store.close();
    });

    it('should get what was set, and null for a missing key', async () => {
      const k = key('s');
      await store.set(k, 'v1');
      expect(await store.get(k)).toBe('v1');
      expect(await store.get(key('missing'))).toBeNull();
    });

    it('should expire a value after its ttl', async () => {
      const k = key('ttl');
      await store.set(k, 'short', { ttlMs: 100 });
      expect(await store.get(k)).toBe('short');
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.get(k)).toBeNull();
    });

    it('should delete keys and count the ones that existed', async () => {
      const [a, b] = [key('a'), key('b')];
      await store.set(a, '1');
      await store.hashSet(b, { f: '1' });
      expect(await store.delete(a, b, key('none'))).toBe(2);
      expect(await store.get(a)).toBeNull();
      expect(await store.hashGetAll(b)).toEqual({});
    });

    it('should set, read and delete hash fields, dropping an emptied hash', async () => {
      const h = key('h');
      await store.hashSet(h, { a: '1', b: '2' });
      await store.hashSet(h, { b: '3' });
      expect(await store.hashGet(h, 'b')).toBe('3');
      expect(await store.hashGet(h, 'zzz')).toBeNull();
      expect(await store.hashGetAll(h)).toEqual({ a: '1', b: '3' });
      expect(await store.hashSize(h)).toBe(2);
      expect(await store.hashSize(key('no-hash'))).toBe(0);
      expect(await store.hashDelete(h, 'a', 'nope')).toBe(1);
      expect(await store.hashDelete(h, 'b')).toBe(1);
      expect(await store.delete(h)).toBe(0);
    });

    it('should refuse hash operations on a string key', async () => {
      const k = key('typed');
      await store.set(k, 'plain');
      await expect(store.hashGet(k, 'f')).rejects.toThrow(/WRONGTYPE/);
    });

    it('should answer ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
