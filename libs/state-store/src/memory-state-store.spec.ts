import { describeStateStore } from '../test/state-store.behaviour';
import { MemoryStateStore } from './memory-state-store';

describeStateStore(MemoryStateStore.name, async () => new MemoryStateStore(50));

describe(`${MemoryStateStore.name} sweep`, () => {
  it('should remove expired keys without being asked', async () => {
    let now = 1_000;
    const store = new MemoryStateStore(10, () => now);
    await store.set('k', 'v', { ttlMs: 5 });
    now += 10;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((store as unknown as { entries: Map<string, unknown> }).entries.size).toBe(0);
    await store.close();
  });
});
