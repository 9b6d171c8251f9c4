/** What the wheel needs of a connection. */
export interface Expiring {
  /** Epoch ms after which the connection is dead (keepalive or CONNECT timeout); Infinity for never. */
  deadline(): number;
  expire(): void;
  /** Second bucket the wheel put it in, for removal. */
  wheelSlot?: number;
}

/**
 * One timer for every connection's keepalive and CONNECT timeout: connections sit in a
 * bucket per second of their deadline, and each tick looks only at the buckets that came
 * due — idle connections cost nothing between their deadlines. A connection that was active
 * meanwhile is simply moved to its new deadline's bucket.
 */
export class KeepAliveWheel {
  private readonly buckets = new Map<number, Set<Expiring>>();
  private readonly timer: NodeJS.Timeout;
  private lastTick: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastTick = Math.floor(now() / 1000);
    this.timer = setInterval(() => this.tick(), 1_000);
    this.timer.unref();
  }

  schedule(item: Expiring): void {
    this.remove(item);
    const deadline = item.deadline();
    if (!Number.isFinite(deadline)) return;
    const slot = Math.max(Math.ceil(deadline / 1000), this.lastTick + 1);
    let bucket = this.buckets.get(slot);
    if (!bucket) this.buckets.set(slot, (bucket = new Set()));
    bucket.add(item);
    item.wheelSlot = slot;
  }

  remove(item: Expiring): void {
    if (item.wheelSlot === undefined) return;
    const bucket = this.buckets.get(item.wheelSlot);
    bucket?.delete(item);
    if (bucket?.size === 0) this.buckets.delete(item.wheelSlot);
    item.wheelSlot = undefined;
  }

  /** Checks the buckets that came due since the last tick (also callable from tests). */
  tick(): void {
    const now = this.now();
    const current = Math.floor(now / 1000);
    for (let slot = this.lastTick + 1; slot <= current; slot++) {
      const bucket = this.buckets.get(slot);
      if (!bucket) continue;
      this.buckets.delete(slot);
      for (const item of bucket) {
        item.wheelSlot = undefined;
        if (item.deadline() <= now) item.expire();
        else this.schedule(item);
      }
    }
    this.lastTick = current;
  }

  close(): void {
    clearInterval(this.timer);
    this.buckets.clear();
  }
}
