import { spawnSync } from 'node:child_process';
import { retainedOver, stillReachable } from './garbage';

/**
 * What `turns` turns of `turnBody` (JavaScript, with `state` to keep things in) leave held
 * through young collections, measured as retainedOver does — in a child process, a fresh
 * heap: how much V8 keeps in these cases depends on what ran before in the same process (in
 * Jest's worker, after other specs, a tenth to a half as much), and these tests are about V8.
 */
function retainedInFreshHeap(setup: string, turnBody: string, turns = 200): { kept: number; state: Record<string, unknown> } {
  const child = `
    const state = {};
    ${setup}
    const turn = () => { ${turnBody} };
    const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));
    (async () => {
      for (let i = 0; i < 60; i++) turn(); // a steady state before what exists is made old
      gc(); gc();
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < ${turns}; i++) { turn(); await nextMacrotask(); gc({ type: 'minor' }); }
      await nextMacrotask(); gc({ type: 'minor' });
      console.log(JSON.stringify({ kept: process.memoryUsage().arrayBuffers - before, state: { size: state.map.size } }));
    })();`;
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', child], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

describe('garbage', () => {
  it('should see an unreferenced object collected and a referenced one kept', async () => {
    // Arrays, not Buffers: the next test measures ArrayBuffer memory, and a 1 KiB Buffer kept
    // here, let go by Jest a little later, came off its count (1,024 bytes short in npm test).
    const make = () => new WeakRef({ big: new Array(1024).fill(0) });
    const kept = { big: new Array(1024).fill(0) };
    const refs = [make(), new WeakRef(kept)];
    expect(await stillReachable(refs)).toBe(1);
    expect(refs[1].deref()).toBe(kept);
  });

  it('should count what turns leave referenced through young collections, and not what they drop', async () => {
    const kept: Buffer[] = [];
    const held = await retainedOver(100, () => void kept.push(Buffer.alloc(16 * 1024)));
    const dropped = await retainedOver(100, () => void Buffer.alloc(16 * 1024).fill(1));
    expect(held).toBeGreaterThanOrEqual(100 * 16 * 1024);
    expect(dropped).toBeLessThan(1_000_000);
    expect(kept).toHaveLength(100);
  }, 30_000); // 200 forced young collections and 4 full ones: slow in npm test's busy unit tier

  it('should see what a long-lived Map cleared per turn keeps through young collections, and a Map replaced per turn does not', () => {
    // The V8 behaviour the gateway's per-turn structures avoid (see DeviceMessagePacker): a
    // cleared table stays linked to its successor, so an old Map's cleared tables chain.
    const fill = 'for (let i = 0; i < 10; i++) state.map.set(i, Buffer.alloc(16 * 1024));';
    const cleared = retainedInFreshHeap('state.map = new Map();', `state.map.clear(); ${fill}`);
    const replaced = retainedInFreshHeap('state.map = new Map();', `state.map = new Map(); ${fill}`);
    expect(cleared.kept).toBeGreaterThan(25_000_000); // 200 turns × 160 KiB: nearly all of it
    expect(replaced.kept).toBeLessThan(5_000_000); // the last turn's, at most
  });

  it('should see a long-lived Map that adds and removes an entry per item keep what passed through it through young collections', () => {
    // Why sessions keep their in-flight deliveries in a PacketIdMap: a Map rehashes as
    // entries come and go, and each old table stays linked to its successor.
    const { kept, state } = retainedInFreshHeap(
      'state.map = new Map(); state.next = 0;',
      // Each entry lives half a turn.
      'for (let i = 0; i < 10; i++) { state.map.set(state.next, Buffer.alloc(16 * 1024)); state.map.delete(state.next - 5); state.next++; }',
    );
    expect(state.size).toBe(5);
    expect(kept).toBeGreaterThan(8_000_000); // of the 32 MB that passed through (~15 MB on Node 20)
  });
});
