import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Broker, BrokerHooks } from '@iot/mqtt-broker';
import { ClusterKeys } from './cluster-keys';
import { ForwardWindowLimits } from './forward-flow';
import { GatewayCluster } from './gateway-cluster';
import { NodeLink } from './node-link';
import { NodeLiveness } from './node-liveness';
import { Presence, PresenceTable } from './presence-table';

export interface ClusterNodeOptions {
  nodeId: string;
  heartbeatMs?: number;
  livenessTtlMs?: number;
  takeOverTimeoutMs?: number;
  /** How much may be forwarded to a node and not acknowledged yet (see ForwardWindows). */
  forwardWindow: ForwardWindowLimits;
  /** Told of every client marked offline because its node died (the uplink reports them). */
  onClientReaped?(presence: Presence): void;
}

/** Drops a dead node's session ownerships, unless already claimed by another node. */
const RELEASE_ALL_OF_NODE = `
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local at = string.find(member, '\\0', 1, true)
  local project, client = string.sub(member, 1, at - 1), string.sub(member, at + 1)
  local key = ARGV[2] .. project
  if redis.call('HGET', key, client) == ARGV[1] then redis.call('HDEL', key, client) end
end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Everything one gateway node does to be part of a cluster, on Redis: the broker's cluster
 * port (routes, forwarding, take-over), the presence table fed by the broker's hooks, and
 * node liveness with clean-up after dead nodes (presence, wills, routes, ownerships).
 */
export class ClusterNode {
  readonly cluster: GatewayCluster;
  readonly presence: PresenceTable;
  private readonly liveness: NodeLiveness;
  private broker?: Broker;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly options: ClusterNodeOptions,
  ) {
    const onError = (error: Error, doing: string) => logger.warn({ err: error }, `cluster: failed ${doing}`);
    this.liveness = new NodeLiveness(redis, {
      nodeId: options.nodeId,
      heartbeatMs: options.heartbeatMs ?? 2_000,
      ttlMs: options.livenessTtlMs ?? 10_000,
      announce: NodeLink.announcement,
      onDeadNode: (node) => this.cleanUpAfter(node),
      onNodes: (nodes) => this.cluster.setNodes(nodes),
      onError,
    });
    this.cluster = new GatewayCluster(redis, {
      nodeId: options.nodeId,
      takeOverTimeoutMs: options.takeOverTimeoutMs ?? 3_000,
      isAlive: (node) => this.liveness.isAlive(node),
      forwardWindow: options.forwardWindow,
      onError,
    });
    this.presence = new PresenceTable(redis, options.nodeId);
  }

  /** Broker observers that keep the presence table up to date. */
  presenceHooks(): Pick<BrokerHooks, 'onConnected' | 'onDisconnected'> {
    const warn = (error: Error) => this.logger.warn({ err: error }, 'cluster: presence update failed');
    return {
      onConnected: (client, details) => void this.presence.connected(client, details).catch(warn),
      onDisconnected: (client) => void this.presence.disconnected(client).catch(warn),
    };
  }

  async start(broker: Broker): Promise<void> {
    this.broker = broker;
    await this.cluster.start(broker);
    // A node restarted under the same id (a StatefulSet pod, `start:cluster`) may come back
    // before anyone noticed it died: it cleans up after its previous run itself, first.
    await this.cleanUpAfter(this.options.nodeId);
    await this.liveness.start();
    this.logger.info({ node: this.options.nodeId }, 'joined the gateway cluster');
  }

  /**
   * Leaves the cluster after the broker closed its connections (their wills already went,
   * their sessions are saved): persistent sessions are adopted by the other nodes, so
   * messages keep queuing for them, and nothing of this node stays in the shared tables.
   */
  async leave(): Promise<void> {
    const node = this.options.nodeId;
    const parked = this.broker?.parkedSessions() ?? [];
    if (parked.length > 0) {
      const adopted = await this.cluster.giveAwaySessions(parked, await this.liveness.liveNodes(), this.options.takeOverTimeoutMs ?? 3_000);
      this.logger.info({ sessions: parked.length, adopted }, 'gave parked sessions to other nodes');
    }
    await this.cluster.removeRoutesOf(node);
    await this.presence.removeNode(node);
    await this.releaseSessionsOf(node);
    await this.liveness.stop();
    await this.cluster.stop();
  }

  /** Runs on the one node that claimed the clean-up of a node that died. */
  private async cleanUpAfter(node: string): Promise<void> {
    const { offline, wills } = await this.presence.removeNode(node);
    for (const presence of offline) this.options.onClientReaped?.(presence);
    // Its clients' wills go once, from here, as if their connections had dropped.
    for (const will of wills) this.broker?.publish(will);
    await this.cluster.removeRoutesOf(node);
    await this.releaseSessionsOf(node);
    if (offline.length + wills.length > 0 || node !== this.options.nodeId) {
      this.logger.warn({ deadNode: node, clientsOffline: offline.length, willsSent: wills.length }, 'cleaned up after a dead gateway node');
    }
  }

  private async releaseSessionsOf(node: string): Promise<void> {
    const prefix = this.redis.options.keyPrefix ?? '';
    // The owners hash key is built inside the script, so it carries the prefix itself.
    await this.redis.eval(RELEASE_ALL_OF_NODE, 1, ClusterKeys.nodeSessions(node), node, `${prefix}${ClusterKeys.owners('')}`);
  }
}

