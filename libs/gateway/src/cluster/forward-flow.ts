import { Backpressured, FlowGate, GateWaiter } from '@iot/mqtt-broker';

/** How much may be forwarded to one node and not acknowledged yet before publishers here wait for it. */
export interface ForwardWindowLimits {
  bytes: number;
  /**
   * Messages, for all the nodes forwarding to one node together (each gets an equal share,
   * see ForwardWindows.setClusterSize): at most half the receiving node's per-session queue
   * bound. That node holds its acknowledgements back once a session's queue is half full, so
   * everything that can still arrive then (every sender's window, all for that one session
   * at worst) fits in the other half.
   */
  messages: number;
}

/**
 * The window for nodes that queue `maxQueuedMessages` per session: half of it (shared by the
 * nodes sending to one node), 1 MiB. It was a quarter for any cluster size — too little
 * between two nodes, whose throughput it bounded (one round trip through Redis per 250
 * messages), and too much from four nodes on, where three senders to one node could overrun
 * a queue there.
 */
export const forwardWindowFor = (maxQueuedMessages: number): ForwardWindowLimits => ({
  bytes: 1024 * 1024,
  messages: Math.max(1, Math.floor(maxQueuedMessages / 2)),
});

/** How long an acknowledgement is awaited before its batch counts as taken (node gone, ack lost). */
const ACK_TIMEOUT_MS = 5_000;
/** Longest a receiving node holds an acknowledgement back for its congested subscribers. */
const ACK_HOLD_MS = 1_000;

/** What a forwarded message weighs against the window: its payload and topic, plus framing. */
export const forwardedBytes = (payload: Buffer, topic: string): number => payload.length + topic.length + 64;

interface NodeWindow {
  /** Bytes and messages forwarded and not acknowledged yet. */
  unacked: number;
  unackedMessages: number;
  /** Bytes and messages waiting in the outbox for this event-loop turn's send. */
  queued: number;
  queuedMessages: number;
  gate: FlowGate;
}

/**
 * The sending side of cross-node flow control. Redis pub/sub has no backpressure: a node
 * that forwards faster than another can deliver would grow that node's queues until they
 * drop. So each batch sent to a node is acknowledged once that node has delivered it, and
 * while more than the window's limits are unacknowledged, publishers here wait on that
 * node's gate — as they wait for a slow subscriber on their own node. The gate opens when
 * acknowledgements bring the window under half.
 */
export class ForwardWindows {
  private readonly windows = new Map<string, NodeWindow>();
  /** Unacknowledged batches, oldest first (Map keeps insertion order). */
  private readonly batches = new Map<number, { node: string; bytes: number; messages: number; sentAt: number }>();
  private nextBatch = 0;
  private readonly sweeper: NodeJS.Timeout;
  /** This node's share of `limits.messages`: the whole of it while it is the only other node. */
  private messageLimit: number;

  constructor(
    private readonly limits: ForwardWindowLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.messageLimit = limits.messages;
    this.sweeper = setInterval(() => this.expire(), ACK_TIMEOUT_MS / 5);
    this.sweeper.unref();
  }

  /**
   * The cluster has `nodes` nodes: up to `nodes - 1` of them may forward to any one node at
   * once, so each takes that share of the message window. (Learnt from the heartbeat: a node
   * that just joined is counted within one heartbeat.)
   */
  setClusterSize(nodes: number): void {
    this.messageLimit = Math.max(1, Math.floor(this.limits.messages / Math.max(1, nodes - 1)));
  }

  /** A message is queued for `node`; returns its gate if the node's window is full. */
  queued(node: string, bytes: number): FlowGate | undefined {
    const window = this.windowOf(node);
    window.queued += bytes;
    window.queuedMessages++;
    const full = window.unacked + window.queued > this.limits.bytes || window.unackedMessages + window.queuedMessages > this.messageLimit;
    return full ? window.gate : undefined;
  }

  /** The queued messages for `node` went out as one batch; returns the batch's id. */
  sent(node: string): number {
    const window = this.windowOf(node);
    const batch = ++this.nextBatch;
    this.batches.set(batch, { node, bytes: window.queued, messages: window.queuedMessages, sentAt: this.now() });
    window.unacked += window.queued;
    window.unackedMessages += window.queuedMessages;
    window.queued = 0;
    window.queuedMessages = 0;
    return batch;
  }

  acknowledged(batch: number): void {
    const sent = this.batches.get(batch);
    if (!sent) return;
    this.batches.delete(batch);
    const window = this.windowOf(sent.node);
    window.unacked -= sent.bytes;
    window.unackedMessages -= sent.messages;
    if (window.unacked + window.queued <= this.limits.bytes / 2 && window.unackedMessages + window.queuedMessages <= this.messageLimit / 2) window.gate.open();
  }

  /** A node is gone: nothing it was sent will be acknowledged, and nobody waits for it. */
  forget(node: string): void {
    for (const [batch, sent] of this.batches) if (sent.node === node) this.acknowledged(batch);
    this.windows.get(node)?.gate.open();
    this.windows.delete(node);
  }

  /** Unacknowledged bytes towards a node (for tests and metrics). */
  unacked(node: string): number {
    return this.windows.get(node)?.unacked ?? 0;
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const window of this.windows.values()) window.gate.open();
  }

  /** Batches unacknowledged for too long count as taken: a node that died must not stall publishers here. */
  private expire(): void {
    const before = this.now() - ACK_TIMEOUT_MS;
    for (const [batch, sent] of this.batches) {
      if (sent.sentAt > before) break;
      this.acknowledged(batch);
    }
  }

  private windowOf(node: string): NodeWindow {
    let window = this.windows.get(node);
    if (!window) this.windows.set(node, (window = { unacked: 0, unackedMessages: 0, queued: 0, queuedMessages: 0, gate: new FlowGate() }));
    return window;
  }
}

/**
 * The receiving side: a batch another node forwarded, routed here as the broker's `source`.
 * Deliveries that congest a subscriber make it wait on that subscriber's gate, and its
 * acknowledgement waits with it — which holds back the publishers on the sending node. At
 * most ACK_HOLD_MS: a subscriber that stopped reading must not stall the other node (its
 * messages are dropped or queued here by the usual rules instead).
 */
export class ForwardedBatch implements Backpressured, GateWaiter {
  private readonly awaiting = new Set<FlowGate>();
  private routing = true;
  private acked = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly acknowledge: () => void) {}

  waitFor(gate: FlowGate): void {
    if (this.acked || this.awaiting.has(gate)) return;
    this.awaiting.add(gate);
    gate.add(this);
  }

  released(gate: FlowGate): void {
    // A whole batch per opening would outrun the subscriber: wait until it is no longer congested.
    if (!this.acked && gate.congested) {
      gate.add(this);
      return;
    }
    this.awaiting.delete(gate);
    if (!this.routing && this.awaiting.size === 0) this.ack();
  }

  /** Every message of the batch was routed: acknowledge now, or once the congestion clears. */
  routed(): void {
    this.routing = false;
    if (this.awaiting.size === 0) {
      this.ack();
      return;
    }
    this.timer = setTimeout(() => this.ack(), ACK_HOLD_MS);
    this.timer.unref();
  }

  private ack(): void {
    if (this.acked) return;
    this.acked = true;
    clearTimeout(this.timer);
    for (const gate of this.awaiting) gate.delete(this);
    this.awaiting.clear();
    this.acknowledge();
  }
}
