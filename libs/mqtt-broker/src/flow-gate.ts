/** Something held back until a gate opens: a publishing connection, a batch forwarded by another node. */
export interface GateWaiter {
  released(gate: FlowGate): void;
}

/** What the broker holds back while a delivery congests something (see Broker.source). */
export interface Backpressured {
  waitFor(gate: FlowGate): void;
}

/**
 * What publishers wait on while it is congested — a slow subscriber's socket, the link to
 * another node — so that the pace of the slowest consumer reaches its producers instead of
 * growing memory or dropping messages. Opening it releases every waiter once.
 */
export class FlowGate {
  private waiters = new Set<GateWaiter>();

  /** `congestedWhile`: whether what it guards is still congested (it may open on progress before). */
  constructor(private readonly congestedWhile?: () => boolean) {}

  /**
   * Whether what it guards is still congested. A gate opens on progress (a socket drained a
   * little, a queue moved): a waiter that let through a whole batch per opening would outrun
   * the consumer, so such a waiter checks this and waits again.
   */
  get congested(): boolean {
    return this.congestedWhile?.() ?? false;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  add(waiter: GateWaiter): void {
    this.waiters.add(waiter);
  }

  delete(waiter: GateWaiter): void {
    this.waiters.delete(waiter);
  }

  open(): void {
    if (this.waiters.size === 0) return;
    // A new Set rather than clear(): a cleared table stays linked to its successor, which
    // keeps what the gate holds next alive through young collections (see Broker.fanout).
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const waiter of waiters) waiter.released(this);
  }
}
