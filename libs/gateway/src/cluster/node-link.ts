import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { GatewayCommandValue } from '@iot/contracts';
import { fromJson, toJson } from '../storage/buffer-json';
import { ClusterChannels } from './cluster-keys';
import { FORWARD_FRAME_MAGIC, FORWARD_FRAME_VERSION, ForwardBatch, decodeForwardBatch, encodeForwardBatch } from './forward-frame';
import type { NodeAnnouncement } from './node-liveness';

/** What nodes send each other. */
export type NodeEnvelope =
  /**
   * Messages published on the sending node, for this node's subscribers and the shared
   * groups each was given; in order. Acknowledged with `publish-ack` once delivered here.
   */
  | ({ type: 'publish' } & ForwardBatch)
  /** The batch this node sent was delivered there (flow control: see ForwardWindows). */
  | { type: 'publish-ack'; batch: number }
  /** Hand over a session you hold to the sending node. */
  | { type: 'take-over'; requestId: string; from: string; projectId: string; clientId: string; cleanStart: boolean }
  /** Adopt a parked session the sending node gives away as it stops. */
  | { type: 'adopt'; requestId: string; from: string; projectId: string; clientId: string }
  /** Act on a client whose session you hold (kick, subscribe, unsubscribe). */
  | { type: 'client-command'; requestId: string; from: string; command: GatewayCommandValue }
  /** `ok`: done; false: the session was not there (it moved meanwhile). */
  | { type: 'reply'; requestId: string; ok: boolean };

/** How a request ended: done, refused by the node (not there), or no answer in time. */
export type RequestOutcome = 'ok' | 'refused' | 'timeout';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A route table change: `+` added, `-` removed. */
export type RouteChange = [op: '+' | '-', node: string, projectId: string, filter: string];

/**
 * Node-to-node messaging over Redis pub/sub: one channel per node, one for route changes.
 * Pub/sub rather than Kafka because this is the hot path between nodes (every publish with
 * a subscriber elsewhere) and wants sub-millisecond hops with no consumer group per node;
 * durability is not its job — the uplink to Kafka is, and sessions are handed over
 * explicitly, with a reply. Forwarded publishes go as binary frames (ForwardBatch) to the
 * nodes that announced they read this version, as JSON to the others — nodes of an older
 * release during a rolling upgrade, or one not seen yet; every other envelope as JSON.
 * Every node reads both.
 */
export class NodeLink {
  private subscriber?: Redis;
  private readonly pending = new Map<string, (ok: boolean) => void>();
  /** The nodes that read this node's forward frames (from the nodes list, each heartbeat). */
  private frameReaders: ReadonlySet<string> = new Set();

  constructor(
    private readonly redis: Redis,
    readonly nodeId: string,
    private readonly onEnvelope: (envelope: NodeEnvelope) => void,
    private readonly onRouteChange: (change: RouteChange) => void,
    private readonly onBadMessage: (error: Error) => void,
  ) {}

  private get prefix(): string {
    return this.redis.options.keyPrefix ?? '';
  }

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    const own = ClusterChannels.node(this.prefix, this.nodeId);
    const routes = ClusterChannels.routes(this.prefix);
    // As Buffers: a forwarded batch is binary, and ioredis then skips decoding it to text.
    subscriber.on('messageBuffer', (channelBytes: Buffer, data: Buffer) => {
      try {
        const channel = channelBytes.toString();
        if (channel === routes) this.onRouteChange(JSON.parse(data.toString()) as RouteChange);
        else if (channel === own) this.receive(data[0] === FORWARD_FRAME_MAGIC ? { type: 'publish', ...decodeForwardBatch(data) } : fromJson<NodeEnvelope>(data.toString()));
      } catch (error) {
        // A malformed message from another node must not take this one down.
        this.onBadMessage(error as Error);
      }
    });
    await subscriber.subscribe(own, routes);
  }

  /** What this node announces about the envelopes it reads. */
  static readonly announcement: NodeAnnouncement = { forwardFrames: [FORWARD_FRAME_VERSION] };

  /** Learns from the nodes list which nodes read this node's forward frames. */
  setNodes(nodes: ReadonlyMap<string, NodeAnnouncement>): void {
    const readers = new Set<string>();
    for (const [node, announced] of nodes) {
      if (Array.isArray(announced.forwardFrames) && announced.forwardFrames.includes(FORWARD_FRAME_VERSION)) readers.add(node);
    }
    this.frameReaders = readers;
  }

  send(node: string, envelope: NodeEnvelope): void {
    const frame = envelope.type === 'publish' && this.frameReaders.has(node) ? encodeForwardBatch(envelope) : toJson(envelope);
    void this.redis.publish(ClusterChannels.node(this.prefix, node), frame).catch(this.onBadMessage);
  }

  announceRoute(change: RouteChange): void {
    void this.redis.publish(ClusterChannels.routes(this.prefix), JSON.stringify(change)).catch(this.onBadMessage);
  }

  /** Sends a request and resolves to how it ended. */
  request(node: string, envelope: DistributiveOmit<Extract<NodeEnvelope, { requestId: string; from: string }>, 'requestId' | 'from'>, timeoutMs: number): Promise<RequestOutcome> {
    const requestId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve('timeout');
      }, timeoutMs);
      this.pending.set(requestId, (ok) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(ok ? 'ok' : 'refused');
      });
      this.send(node, { ...envelope, requestId, from: this.nodeId } as NodeEnvelope);
    });
  }

  reply(node: string, requestId: string, ok = true): void {
    this.send(node, { type: 'reply', requestId, ok });
  }

  private receive(envelope: NodeEnvelope): void {
    if (envelope.type === 'reply') this.pending.get(envelope.requestId)?.(envelope.ok);
    else this.onEnvelope(envelope);
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}
