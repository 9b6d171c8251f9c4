import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type CollectGarbage = (options?: { type: 'minor' }) => void;

let collector: CollectGarbage | undefined;

/**
 * Runs V8's garbage collector, for tests that assert what a structure keeps alive (jest does
 * not run with --expose-gc: the flag is set here and the function taken from a fresh context).
 * `minor`: a young-generation collection (a scavenge) only.
 */
function collectGarbage(type: 'major' | 'minor'): void {
  if (!collector) {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as CollectGarbage;
  }
  // Plain gc() is the precise full collection (the one that clears WeakRefs).
  if (type === 'major') collector();
  else collector({ type: 'minor' });
}

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

/**
 * How many of `refs` still reach their object after a full collection. A WeakRef's target is
 * held until the end of the job that made or read it, so the collection runs in a later one.
 */
export async function stillReachable(refs: WeakRef<object>[]): Promise<number> {
  await nextMacrotask();
  collectGarbage('major');
  return refs.filter((ref) => ref.deref() !== undefined).length;
}

/**
 * The ArrayBuffer memory held after full collections, once it stops falling. A full
 * collection hands the ArrayBuffers it found dead to a sweeper that may free them after it
 * returns: read at once, the figure still counted some of them, and a measurement from it
 * came out that much short (in npm test's busy unit tier, ~270 KB of 1.6 MB).
 */
async function settledArrayBuffers(): Promise<number> {
  let last = Number.NaN;
  for (let attempt = 0; attempt < 5; attempt++) {
    collectGarbage('major');
    await nextMacrotask();
    const now = process.memoryUsage().arrayBuffers;
    if (now === last) break;
    last = now;
  }
  return last;
}

/**
 * What outlived young collections while `turns` event-loop turns ran, each followed by a
 * young collection (after two full ones, so whatever existed before is old): the growth of
 * the ArrayBuffer memory still held — payload bytes a long-lived structure let its
 * short-lived data keep. (The young collector treats WeakRefs as strong, so this is how a
 * test sees what a scavenge keeps; buffers of 4 KiB and more are counted, smaller ones share
 * Node's pool.) Other work in the same process adds little to it, unlike the heap's size.
 */
export async function retainedOver(turns: number, turn: (index: number) => void | Promise<void>): Promise<number> {
  const before = await settledArrayBuffers();
  for (let i = 0; i < turns; i++) {
    await turn(i);
    await nextMacrotask();
    collectGarbage('minor');
  }
  await nextMacrotask();
  collectGarbage('minor');
  return process.memoryUsage().arrayBuffers - before;
}
