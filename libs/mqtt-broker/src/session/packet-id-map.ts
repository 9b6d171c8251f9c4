/** Packet ids per chunk: 256 chunks cover every id (1..65535). */
const CHUNK_BITS = 8;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const SLOT_MASK = CHUNK_SIZE - 1;

interface Chunk<T> {
  values: (T | undefined)[];
  /** When each value was first set (a counter): the map's iteration order. */
  order: number[];
  used: number;
}

/**
 * What a session holds per packet id (its in-flight deliveries, the QoS 2 ids it received),
 * iterated in the order the ids were first set — like a Map, but not one. A session lives
 * long, in V8's old generation, and these see an id added and removed per message. A Map
 * then rehashes every few hundred messages, and V8 links each old hash table to its
 * successor (for iterators); once a table is in the old generation, young collections
 * treat that link as live, so every table after it — and every delivery and message they
 * held — survived until the next full collection. In a QoS 1 flood, after the first full
 * collection ~12% of all the broker allocated was promoted, and full collections came every
 * ~300 ms from then on. Here ids index slots directly (chunks of 256, made when first used
 * and dropped once empty, when they reference nothing): no table is ever replaced.
 */
export class PacketIdMap<T> {
  private readonly chunks: (Chunk<T> | undefined)[] = [];
  private count = 0;
  private nextOrder = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    return this.chunks[id >>> CHUNK_BITS]?.values[id & SLOT_MASK];
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Sets the value of `id`; an id already there keeps its place in the order. */
  set(id: number, value: T): this {
    if (!Number.isInteger(id) || id < 1 || id > 65535) throw new RangeError(`packet id ${id} is not in 1..65535`);
    const index = id >>> CHUNK_BITS;
    let chunk = this.chunks[index];
    if (!chunk) this.chunks[index] = chunk = { values: new Array<T | undefined>(CHUNK_SIZE), order: new Array<number>(CHUNK_SIZE), used: 0 };
    const slot = id & SLOT_MASK;
    if (chunk.values[slot] === undefined) {
      chunk.used++;
      this.count++;
      chunk.order[slot] = this.nextOrder++;
    }
    chunk.values[slot] = value;
    return this;
  }

  delete(id: number): boolean {
    const index = id >>> CHUNK_BITS;
    const chunk = this.chunks[index];
    const slot = id & SLOT_MASK;
    if (!chunk || chunk.values[slot] === undefined) return false;
    chunk.values[slot] = undefined;
    this.count--;
    if (--chunk.used === 0) this.chunks[index] = undefined;
    return true;
  }

  /** The ids, in the order they were set. */
  keys(): number[] {
    return this.entries().map(([id]) => id);
  }

  /** The values, in the order their ids were set. */
  values(): T[] {
    return this.entries().map(([, value]) => value);
  }

  /** Id and value pairs, in the order the ids were set (sessions are saved and resumed with this: rare). */
  entries(): [number, T][] {
    const found: { id: number; value: T; order: number }[] = [];
    this.chunks.forEach((chunk, index) => {
      if (!chunk) return;
      for (let slot = 0; slot < CHUNK_SIZE; slot++) {
        const value = chunk.values[slot];
        if (value !== undefined) found.push({ id: (index << CHUNK_BITS) | slot, value, order: chunk.order[slot] });
      }
    });
    return found.sort((a, b) => a.order - b.order).map(({ id, value }) => [id, value]);
  }
}
