import { FlowGate, GateWaiter } from '@iot/mqtt-broker';
import { ForwardWindows, ForwardedBatch, forwardWindowFor } from './forward-flow';

const FORWARD_WINDOW_BYTES = 1_000_000;
const limits = { bytes: FORWARD_WINDOW_BYTES, messages: 100 };

/** A publisher as the broker sees it: records the gates it was made to wait on and their opening. */
class Publisher implements GateWaiter {
  readonly waitingOn = new Set<FlowGate>();
  wait(gate: FlowGate | undefined): void {
    if (!gate) return;
    this.waitingOn.add(gate);
    gate.add(this);
  }
  released(gate: FlowGate): void {
    this.waitingOn.delete(gate);
  }
}

describe('forwardWindowFor', () => {
  it('should never let a window overrun a session queue on the receiving node', () => {
    for (const maxQueued of [1, 2, 3, 4, 7, 10, 999, 1_000, 1_001, 65_535]) {
      // The most a session can hold before its node starts holding acknowledgements back
      // (Connection.queueFilling: at half the bound), plus a whole window arriving after it.
      const beforeFilling = Math.ceil(maxQueued / 2) - 1;
      const window = forwardWindowFor(maxQueued).messages;
      expect(window).toBeGreaterThanOrEqual(1);
      expect(beforeFilling + window).toBeLessThanOrEqual(maxQueued);
    }
  });
});

describe('ForwardWindows', () => {
  let now = 0;
  let windows: ForwardWindows;
  const half = FORWARD_WINDOW_BYTES / 2;

  beforeEach(() => {
    now = 0;
    windows = new ForwardWindows(limits, () => now);
  });
  afterEach(() => windows.close());

  it('should let publishers go while a node has acknowledged enough, and hold them once the window is full', () => {
    const publisher = new Publisher();
    publisher.wait(windows.queued('b', half));
    expect(publisher.waitingOn.size).toBe(0);
    windows.sent('b');
    publisher.wait(windows.queued('b', half + 1));
    expect(publisher.waitingOn.size).toBe(1);
    // Another node's window is its own.
    expect(windows.queued('c', 10)).toBeUndefined();
  });

  it('should hold publishers once a node has too many messages unacknowledged, however small', () => {
    const publisher = new Publisher();
    for (let i = 0; i < 100; i++) publisher.wait(windows.queued('b', 1));
    const first = windows.sent('b');
    expect(publisher.waitingOn.size).toBe(0);
    publisher.wait(windows.queued('b', 1));
    expect(publisher.waitingOn.size).toBe(1);
    windows.sent('b');
    windows.acknowledged(first);
    expect(publisher.waitingOn.size).toBe(0);
  });

  it('should give each sending node its share of the message window as the cluster grows', () => {
    // Four nodes: three may forward to one node at once, a third of 100 each.
    windows.setClusterSize(4);
    const publisher = new Publisher();
    for (let i = 0; i < 33; i++) publisher.wait(windows.queued('b', 1));
    expect(publisher.waitingOn.size).toBe(0);
    publisher.wait(windows.queued('b', 1));
    expect(publisher.waitingOn.size).toBe(1);
    // Back to two nodes: the whole window again.
    windows.setClusterSize(2);
    for (let i = 0; i < 100; i++) expect(windows.queued('c', 1)).toBeUndefined();
    expect(windows.queued('c', 1)).toBeDefined();
  });

  it('should open the gate once acknowledgements bring the window under half', () => {
    const publisher = new Publisher();
    windows.queued('b', half);
    const first = windows.sent('b');
    publisher.wait(windows.queued('b', half));
    const second = windows.sent('b');
    expect(windows.unacked('b')).toBe(2 * half);
    windows.acknowledged(first);
    expect(publisher.waitingOn.size).toBe(0);
    expect(windows.unacked('b')).toBe(half);
    windows.acknowledged(second);
    windows.acknowledged(second); // twice is once
    expect(windows.unacked('b')).toBe(0);
  });

  it('should count a batch as taken when a node never acknowledges it, or is gone', () => {
    jest.useFakeTimers();
    const slow = new ForwardWindows(limits, () => now);
    const publisher = new Publisher();
    publisher.wait(slow.queued('b', FORWARD_WINDOW_BYTES + 1));
    slow.sent('b');
    now = 6_000;
    jest.advanceTimersByTime(2_000);
    expect(slow.unacked('b')).toBe(0);
    expect(publisher.waitingOn.size).toBe(0);

    publisher.wait(slow.queued('c', FORWARD_WINDOW_BYTES + 1));
    slow.sent('c');
    slow.forget('c');
    expect(slow.unacked('c')).toBe(0);
    expect(publisher.waitingOn.size).toBe(0);
    slow.close();
    jest.useRealTimers();
  });
});

describe('ForwardedBatch', () => {
  it('should acknowledge at once when its deliveries congested nothing', () => {
    const acks: number[] = [];
    const batch = new ForwardedBatch(() => acks.push(1));
    batch.routed();
    expect(acks).toEqual([1]);
  });

  it('should hold its acknowledgement until every congested subscriber has room again', () => {
    const acks: number[] = [];
    const batch = new ForwardedBatch(() => acks.push(1));
    const [subscriberA, subscriberB] = [new FlowGate(), new FlowGate()];
    batch.waitFor(subscriberA);
    batch.waitFor(subscriberB);
    batch.waitFor(subscriberA);
    batch.routed();
    subscriberA.open();
    expect(acks).toEqual([]);
    subscriberB.open();
    expect(acks).toEqual([1]);
  });

  it('should wait again when its subscriber made progress but is still congested', () => {
    const acks: number[] = [];
    let queued = 600;
    const subscriber = new FlowGate(() => queued >= 500);
    const batch = new ForwardedBatch(() => acks.push(1));
    batch.waitFor(subscriber);
    batch.routed();
    queued = 550;
    subscriber.open();
    expect(acks).toEqual([]);
    queued = 499;
    subscriber.open();
    expect(acks).toEqual([1]);
  });

  it('should acknowledge after at most a second for a subscriber that stopped reading', () => {
    jest.useFakeTimers();
    const acks: number[] = [];
    const batch = new ForwardedBatch(() => acks.push(1));
    const stuck = new FlowGate();
    batch.waitFor(stuck);
    batch.routed();
    jest.advanceTimersByTime(999);
    expect(acks).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(acks).toEqual([1]);
    expect(stuck.waiting).toBe(0);
    stuck.open();
    expect(acks).toEqual([1]);
    jest.useRealTimers();
  });
});
