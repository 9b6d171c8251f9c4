import type { GatewayNodeStats, NodeFigures, QosCounts } from '@iot/contracts';
import type { BrokerStats, Occupancy, PerQos, TrafficCounters } from '@iot/mqtt-broker';

/** What a node's statistics are made of, read at one moment. */
export interface NodeStatsSources {
  node: string;
  intervalMs: number;
  now: Date;
  stats: BrokerStats;
  /** Broker.occupancy(). */
  occupancy: ReadonlyMap<string, Occupancy>;
  /** Distinct filters cluster-wide per project; undefined for a node alone (then its own are all). */
  clusterFilters?: ReadonlyMap<string, number>;
  /** Retained messages per project (RetainedStore.countByProject). */
  retained: ReadonlyMap<string, number>;
}

const NOTHING: Occupancy = { connections: 0, sessions: 0, subscriptions: 0, topics: 0 };

const qos = ([qos0, qos1, qos2]: PerQos): QosCounts => ({ qos0, qos1, qos2 });

function figures(traffic: TrafficCounters | undefined, occupancy: Occupancy, clusterTopics: number, retained: number): NodeFigures {
  return {
    ...occupancy,
    clusterTopics,
    retained,
    bytesIn: traffic?.bytesIn ?? 0,
    bytesOut: traffic?.bytesOut ?? 0,
    packetsIn: traffic?.packetsIn ?? 0,
    packetsOut: traffic?.packetsOut ?? 0,
    messagesIn: qos(traffic?.messagesIn ?? [0, 0, 0]),
    messagesOut: qos(traffic?.messagesOut ?? [0, 0, 0]),
    messagesDropped: qos(traffic?.messagesDropped ?? [0, 0, 0]),
    authSuccesses: traffic?.authSuccesses ?? 0,
    authFailures: traffic?.authFailures ?? 0,
  };
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/**
 * A node's GatewayNodeStats: its totals, and one entry for every project with sessions,
 * traffic counters or retained messages here.
 */
export function nodeStatsOf(sources: NodeStatsSources): GatewayNodeStats {
  const { stats, occupancy, retained } = sources;
  const clusterFilters = sources.clusterFilters ?? new Map([...occupancy].map(([projectId, held]) => [projectId, held.topics]));
  const projectIds = new Set([...stats.projectCounters().keys(), ...occupancy.keys(), ...retained.keys()]);
  const projects = [...projectIds].sort().map((projectId) => ({
    projectId,
    ...figures(stats.projectCounters().get(projectId), occupancy.get(projectId) ?? NOTHING, clusterFilters.get(projectId) ?? 0, retained.get(projectId) ?? 0),
  }));
  const held = [...occupancy.values()];
  const total: Occupancy = {
    connections: sum(held.map((o) => o.connections)),
    sessions: sum(held.map((o) => o.sessions)),
    subscriptions: sum(held.map((o) => o.subscriptions)),
    topics: sum(held.map((o) => o.topics)),
  };
  return {
    node: sources.node,
    updatedAt: sources.now.toISOString(),
    intervalMs: sources.intervalMs,
    total: figures(stats, total, sum(clusterFilters.values()), sum(retained.values())),
    projects,
  };
}
