import type Redis from 'ioredis';
import { ClusterKeys } from './cluster-keys';

export interface NodeLivenessOptions {
  nodeId: string;
  /** How often this node says it is alive, and looks for dead nodes. */
  heartbeatMs: number;
  /** How long a node counts as alive after its last heartbeat. */
  ttlMs: number;
  /** What this node says about itself in the nodes list (what it can read, ...). */
  announce?: NodeAnnouncement;
  /** Cleans up after a dead node; runs on exactly one surviving node. */
  onDeadNode(node: string): Promise<void>;
  /** The cluster's nodes (alive or not yet reaped) and what each announced, after each heartbeat. */
  onNodes?(nodes: ReadonlyMap<string, NodeAnnouncement>): void;
  onError(error: Error, doing: string): void;
}

/** What a node said about itself when it joined; an older node says less (never trusted to say more). */
export type NodeAnnouncement = Record<string, unknown>;

/**
 * Node liveness: each node refreshes a key with a TTL; every node looks for nodes whose key
 * expired, and the first to claim one (SET NX) cleans up after it. A killed node is noticed
 * within ttl + heartbeat (10 s + 2 s by default).
 */
export class NodeLiveness {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly options: NodeLivenessOptions,
  ) {}

  async start(): Promise<void> {
    await this.redis.hset(ClusterKeys.nodes, this.options.nodeId, JSON.stringify({ ...this.options.announce, startedAt: new Date().toISOString() }));
    await this.beat();
    // Each heartbeat's reap reads the nodes anyway and reports them; this is the first.
    await this.nodes();
    this.timer = setInterval(() => {
      this.beat()
        .then(() => this.reap())
        .catch((error: Error) => this.options.onError(error, 'checking node liveness'));
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  /** The nodes whose heartbeat is current. */
  async liveNodes(): Promise<string[]> {
    const nodes = await this.redis.hkeys(ClusterKeys.nodes);
    const alive = await Promise.all(nodes.map((node) => this.isAlive(node)));
    return nodes.filter((_, i) => alive[i]);
  }

  async isAlive(node: string): Promise<boolean> {
    return (await this.redis.exists(ClusterKeys.alive(node))) === 1;
  }

  /** Leaves the cluster on a graceful stop: nobody needs to clean up after this node. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.multi().del(ClusterKeys.alive(this.options.nodeId)).hdel(ClusterKeys.nodes, this.options.nodeId).exec();
  }

  private async beat(): Promise<void> {
    await this.redis.set(ClusterKeys.alive(this.options.nodeId), '1', 'PX', this.options.ttlMs);
  }

  /** Reads the nodes list and reports it. */
  private async nodes(): Promise<string[]> {
    const entries = await this.redis.hgetall(ClusterKeys.nodes);
    const nodes = new Map(Object.entries(entries).map(([node, text]) => [node, announcementOf(text)]));
    this.options.onNodes?.(nodes);
    return [...nodes.keys()];
  }

  private async reap(): Promise<void> {
    const nodes = await this.nodes();
    for (const node of nodes) {
      if (node === this.options.nodeId || (await this.isAlive(node))) continue;
      const won = await this.redis.set(ClusterKeys.reaping(node), this.options.nodeId, 'PX', 60_000, 'NX');
      if (won !== 'OK') continue;
      await this.options.onDeadNode(node);
      await this.redis.hdel(ClusterKeys.nodes, node);
    }
  }
}

/** A node's entry; one that cannot be read says nothing (it still counts as a node). */
function announcementOf(text: string): NodeAnnouncement {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as NodeAnnouncement) : {};
  } catch {
    return {};
  }
}
