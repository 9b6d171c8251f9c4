import { spawnSync } from 'node:child_process';
import { retainedOver, stillReachable } from './garbage';

describe('garbage', () => {
  it('should see an unreferenced object collected and a referenced one kept', async () => {
    const make = () => new WeakRef({ big: Buffer.alloc(1024) });
    const kept = { big: Buffer.alloc(1024) };
    const refs = [make(), new WeakRef(kept)];
    expect(await stillReachable(refs)).toBe(1);
    expect(refs[1].deref()).toBe(kept);
  });

  it('should see what a long-lived Map cleared per turn keeps through young collections, and a Map replaced per turn does not', async () => {
    // The V8 behaviour the gateway's per-turn structures avoid (see DeviceMessagePacker): a
    // cleared table stays linked to its successor, so an old Map's cleared tables chain.
    const holder = { map: new Map<number, Buffer>() };
    const fill = () => {
      for (let i = 0; i < 10; i++) holder.map.set(i, Buffer.alloc(16 * 1024));
    };
    const cleared = await retainedOver(200, () => (holder.map.clear(), fill()));
    const replaced = await retainedOver(200, () => ((holder.map = new Map()), fill()));
    expect(cleared).toBeGreaterThan(25_000_000); // 200 turns × 160 KiB: nearly all of it
    expect(replaced).toBeLessThan(5_000_000); // the last turn's, at most
    // 400 forced young collections and four full ones: well under a second alone, but in
    // `npm test` the unit tier shares two cores with the integration tier and Kafka, and a full
    // collection of a worker that has run many spec files is slow. Jest's 5 s was too tight.
  }, 30_000);

  it('should see a long-lived Map that adds and removes an entry per item keep what passed through it through young collections', () => {
    // Why sessions keep their in-flight deliveries in a PacketIdMap: a Map rehashes as
    // entries come and go, and each old table stays linked to its successor. In a child
    // process, a fresh heap: how much V8 keeps here depends on what ran before it in the
    // same one (run after the test above, it kept a tenth to a third as much).
    const child = `
      const turn = (map, state) => { for (let i = 0; i < 10; i++) { map.set(state.next, Buffer.alloc(16 * 1024)); map.delete(state.next - 5); state.next++; } };
      const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));
      (async () => {
        const inflight = new Map(), state = { next: 0 };
        for (let i = 0; i < 60; i++) turn(inflight, state);
        gc(); gc();
        const before = process.memoryUsage().arrayBuffers;
        for (let i = 0; i < 200; i++) { turn(inflight, state); await nextMacrotask(); gc({ type: 'minor' }); }
        await nextMacrotask(); gc({ type: 'minor' });
        console.log(JSON.stringify({ size: inflight.size, kept: process.memoryUsage().arrayBuffers - before }));
      })();`;
    const run = spawnSync(process.execPath, ['--expose-gc', '-e', child], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    const { size, kept } = JSON.parse(run.stdout);
    expect(size).toBe(5);
    expect(kept).toBeGreaterThan(8_000_000); // of the 32 MB that passed through (~15 MB on Node 20)
  });
});
