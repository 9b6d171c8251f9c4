import type Redis from 'ioredis';
import type { GatewayCommandValue } from '@iot/contracts';
import type { Broker, BrokerCluster, FlowGate, Message } from '@iot/mqtt-broker';
import { ClusterKeys, pair } from './cluster-keys';
import { ForwardWindowLimits, ForwardWindows, ForwardedBatch, forwardedBytes } from './forward-flow';
import { NodeEnvelope, NodeLink, RouteChange } from './node-link';
import type { NodeAnnouncement } from './node-liveness';
import { RouteReplica } from './route-replica';

/** Makes this node the owner of a session; resolves to the previous owner. */
const CLAIM = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return previous`;

/** Gives up ownership, unless another node has claimed the session meanwhile. */
const RELEASE = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('SREM', KEYS[2], ARGV[3])
return 1`;

export interface GatewayClusterOptions {
  nodeId: string;
  /** How long a take-over waits for the node holding the session. */
  takeOverTimeoutMs: number;
  /** Whether a node is alive (its heartbeat key exists). */
  isAlive(node: string): Promise<boolean>;
  /** How much may be forwarded to a node and not acknowledged yet (cross-node flow control). */
  forwardWindow: ForwardWindowLimits;
  onError(error: Error, doing: string): void;
}

/**
 * This gateway node's part in the cluster (the broker's BrokerCluster port, on Redis):
 * announces the filters it has subscribers for, forwards each publish to the nodes with
 * matching subscribers — once per node, whatever the number of subscriptions there — picks
 * one node per shared group, and takes sessions over from the node that holds them.
 */
export class GatewayCluster implements BrokerCluster {
  private readonly routes = new RouteReplica();
  private readonly link: NodeLink;
  private broker?: Broker;
  private turn = 0;
  /** Publishes waiting to be forwarded, per node: one message on the node's channel per event-loop turn. */
  private outbox = new Map<string, { message: Message; groups: string[] }[]>();
  /** What each node has not acknowledged yet: publishers here wait while it is too much. */
  private readonly windows: ForwardWindows;
  private flushScheduled = false;
  /** Runs a client command on this node; resolves to whether the session was here. */
  clientCommandHandler?: (command: GatewayCommandValue) => Promise<boolean>;

  constructor(
    private readonly redis: Redis,
    private readonly options: GatewayClusterOptions,
  ) {
    this.windows = new ForwardWindows(options.forwardWindow);
    this.link = new NodeLink(
      redis,
      options.nodeId,
      (envelope) => this.receive(envelope),
      (change) => this.applyRoute(change),
      (error) => options.onError(error, 'reading a message from another node'),
    );
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Distinct subscription filters on every node of the cluster, per project (RouteReplica). */
  filtersByProject(): Map<string, number> {
    return this.routes.filtersByProject();
  }

  /** Joins the cluster: listens first, then loads the route table, so no change is missed. */
  async start(broker: Broker): Promise<void> {
    this.broker = broker;
    await this.link.start();
    const fields = await this.redis.hkeys(ClusterKeys.routes);
    for (const field of fields) {
      const [node, projectId, filter] = field.split('\u0000');
      this.routes.add(node, projectId, filter);
    }
  }

  async stop(): Promise<void> {
    this.windows.close();
    await this.link.close();
  }

  routeAdded(projectId: string, filter: string): void {
    this.routes.add(this.nodeId, projectId, filter);
    void this.redis.hset(ClusterKeys.routes, routeField(this.nodeId, projectId, filter), '1').catch((error: Error) => this.options.onError(error, 'adding a route'));
    this.link.announceRoute(['+', this.nodeId, projectId, filter]);
  }

  routeRemoved(projectId: string, filter: string): void {
    this.routes.remove(this.nodeId, projectId, filter);
    void this.redis.hdel(ClusterKeys.routes, routeField(this.nodeId, projectId, filter)).catch((error: Error) => this.options.onError(error, 'removing a route'));
    this.link.announceRoute(['-', this.nodeId, projectId, filter]);
  }

  /** Removes every route of a node (it died) from the table and tells every replica. */
  async removeRoutesOf(node: string): Promise<void> {
    const fields = (await this.redis.hkeys(ClusterKeys.routes)).filter((field) => field.startsWith(`${node}\u0000`));
    this.windows.forget(node);
    if (fields.length === 0) return;
    await this.redis.hdel(ClusterKeys.routes, ...fields);
    for (const field of fields) {
      const [, projectId, filter] = field.split('\u0000');
      this.routes.remove(node, projectId, filter);
      this.link.announceRoute(['-', node, projectId, filter]);
    }
  }

  forward(message: Message): { nodes: number; sharedElsewhere?: ReadonlySet<string>; congested?: FlowGate } {
    if (!this.routes.anyBesides(this.nodeId)) return NOWHERE;
    const { nodes, groups } = this.routes.match(message.projectId, message.topic);
    nodes.delete(this.nodeId);
    if (nodes.size === 0 && groups.size === 0) return NOWHERE;
    // Each shared group goes to one node cluster-wide (round robin over the nodes with members).
    let elsewhere: Set<string> | undefined;
    // Most publishes match no shared group: no map for them.
    let given: Map<string, string[]> | undefined;
    for (const [group, candidates] of groups) {
      const node = candidates[this.turn++ % candidates.length];
      if (node === this.nodeId) continue;
      (elsewhere ??= new Set()).add(group);
      given ??= new Map();
      const list = given.get(node);
      if (list) list.push(group);
      else given.set(node, [group]);
      nodes.add(node);
    }
    const bytes = forwardedBytes(message.payload, message.topic);
    let congested: FlowGate | undefined;
    for (const node of nodes) {
      const item = { message, groups: given?.get(node) ?? NO_GROUP_NAMES };
      const queued = this.outbox.get(node);
      if (queued) queued.push(item);
      else this.outbox.set(node, [item]);
      congested = this.windows.queued(node, bytes) ?? congested;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushOutbox());
    }
    return { nodes: nodes.size, sharedElsewhere: elsewhere, congested };
  }

  /** Sends each node what was published for it during this turn, in one message, in order. */
  private flushOutbox(): void {
    this.flushScheduled = false;
    // A new Map per turn, not clear(): see DeviceMessagePacker.flush.
    const outbox = this.outbox;
    this.outbox = new Map();
    for (const [node, items] of outbox) this.link.send(node, { type: 'publish', from: this.nodeId, batch: this.windows.sent(node), items });
  }

  /**
   * The cluster's nodes, from the nodes list: the forwarding window is shared among those that
   * may send to one node, and each gets forwarded publishes in a format it reads.
   */
  setNodes(nodes: ReadonlyMap<string, NodeAnnouncement>): void {
    this.windows.setClusterSize(nodes.size);
    this.link.setNodes(nodes);
  }

  async claim(projectId: string, clientId: string, cleanStart: boolean): Promise<void> {
    const previous = (await this.redis.eval(CLAIM, 2, ClusterKeys.owners(projectId), ClusterKeys.nodeSessions(this.nodeId), clientId, this.nodeId, pair(projectId, clientId))) as string | null;
    if (!previous || previous === this.nodeId) return;
    // A dead node cannot hand over: what it saved in the session store is what resumes.
    if (!(await this.options.isAlive(previous))) return;
    const outcome = await this.link.request(previous, { type: 'take-over', projectId, clientId, cleanStart }, this.options.takeOverTimeoutMs);
    if (outcome === 'timeout') this.options.onError(new Error(`node ${previous} did not hand over ${clientId} within ${this.options.takeOverTimeoutMs} ms`), 'taking a session over');
  }

  /** The node holding a client's session (online or parked), if any. */
  async ownerOf(projectId: string, clientId: string): Promise<string | undefined> {
    return (await this.redis.hget(ClusterKeys.owners(projectId), clientId)) ?? undefined;
  }

  /** Asks the node holding a session to run a client command there. */
  askOwner(node: string, command: GatewayCommandValue): Promise<'ok' | 'refused' | 'timeout'> {
    return this.link.request(node, { type: 'client-command', command }, this.options.takeOverTimeoutMs);
  }

  released(projectId: string, clientId: string): void {
    void this.redis
      .eval(RELEASE, 2, ClusterKeys.owners(projectId), ClusterKeys.nodeSessions(this.nodeId), clientId, this.nodeId, pair(projectId, clientId))
      .catch((error: Error) => this.options.onError(error, 'releasing a session'));
  }

  private receive(envelope: NodeEnvelope): void {
    const broker = this.broker;
    if (!broker) return;
    if (envelope.type === 'publish') {
      const { from, batch } = envelope;
      const flow = new ForwardedBatch(() => this.link.send(from, { type: 'publish-ack', batch }));
      for (const { message, groups } of envelope.items) broker.deliverForwarded(message, groups.length > 0 ? new Set(groups) : NO_GROUPS, flow);
      flow.routed();
      return;
    }
    if (envelope.type === 'publish-ack') {
      this.windows.acknowledged(envelope.batch);
      return;
    }
    if (envelope.type === 'take-over') {
      broker
        .handOver(envelope.projectId, envelope.clientId, envelope.cleanStart)
        .catch((error: Error) => this.options.onError(error, 'handing a session over'))
        .finally(() => this.link.reply(envelope.from, envelope.requestId));
    }
    if (envelope.type === 'client-command') {
      const run = this.clientCommandHandler ?? (async () => false);
      run(envelope.command)
        .catch((error: Error) => {
          this.options.onError(error, 'running a client command');
          return false;
        })
        .then((ok) => this.link.reply(envelope.from, envelope.requestId, ok));
    }
    if (envelope.type === 'adopt') {
      broker
        .adopt(envelope.projectId, envelope.clientId)
        .catch((error: Error) => this.options.onError(error, 'adopting a session'))
        .finally(() => this.link.reply(envelope.from, envelope.requestId));
    }
  }

  /**
   * Gives this node's parked sessions to the other live nodes (round robin) as it stops:
   * each adopter takes the session over from here, so its subscriptions stay routed and
   * messages keep queuing for it. Resolves to how many were adopted in time.
   */
  async giveAwaySessions(sessions: { projectId: string; clientId: string }[], liveNodes: string[], timeoutMs: number): Promise<number> {
    const others = liveNodes.filter((node) => node !== this.nodeId);
    if (others.length === 0) return 0;
    const answers = await Promise.all(
      sessions.map((session, i) => this.link.request(others[i % others.length], { type: 'adopt', projectId: session.projectId, clientId: session.clientId }, timeoutMs)),
    );
    return answers.filter((outcome) => outcome === 'ok').length;
  }

  private applyRoute([op, node, projectId, filter]: RouteChange): void {
    if (node === this.nodeId) return; // applied when it happened
    if (op === '+') this.routes.add(node, projectId, filter);
    else this.routes.remove(node, projectId, filter);
  }
}

const NO_GROUPS: ReadonlySet<string> = new Set();
/** Shared with every item that names no group (never changed: items are only read). */
const NO_GROUP_NAMES: string[] = [];
/**
 * A publish no other node wants — every publish on a lone node. Of the same shape as the
 * other answers (not frozen either: that is another hidden class), so the broker's reads of
 * them stay monomorphic on its hot path.
 */
const NOWHERE: Readonly<ReturnType<GatewayCluster['forward']>> = { nodes: 0, sharedElsewhere: undefined, congested: undefined };
const routeField = (node: string, projectId: string, filter: string) => `${node}\u0000${projectId}\u0000${filter}`;
