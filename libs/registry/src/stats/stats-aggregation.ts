import type { NodeFigures, QosCounts } from '@iot/contracts';
import type { QosCountsDto, StatsDto, StatsFiguresDto } from './dto/stats.dto';

/** One node's figures (for the cluster, or for one project on it) as it last reported them. */
export interface NodeReport {
  node: string;
  updatedAt: string;
  figures: NodeFigures;
}

const ZERO_QOS: QosCounts = { qos0: 0, qos1: 0, qos2: 0 };

/** What a node reports for a project it has nothing of. */
export const NO_FIGURES: NodeFigures = {
  connections: 0,
  sessions: 0,
  subscriptions: 0,
  topics: 0,
  clusterTopics: 0,
  retained: 0,
  bytesIn: 0,
  bytesOut: 0,
  packetsIn: 0,
  packetsOut: 0,
  messagesIn: ZERO_QOS,
  messagesOut: ZERO_QOS,
  messagesDropped: ZERO_QOS,
  authSuccesses: 0,
  authFailures: 0,
};

const qos = (c: QosCounts): QosCountsDto => ({ qos0: c.qos0, qos1: c.qos1, qos2: c.qos2, total: c.qos0 + c.qos1 + c.qos2 });
const addQos = (a: QosCounts, b: QosCounts): QosCounts => ({ qos0: a.qos0 + b.qos0, qos1: a.qos1 + b.qos1, qos2: a.qos2 + b.qos2 });

function present(f: NodeFigures, topics: number): StatsFiguresDto {
  return {
    connections: f.connections,
    sessions: f.sessions,
    subscriptions: f.subscriptions,
    topics,
    retained: f.retained,
    messages: { received: qos(f.messagesIn), sent: qos(f.messagesOut), dropped: qos(f.messagesDropped) },
    bytes: { received: f.bytesIn, sent: f.bytesOut },
    packets: { received: f.packetsIn, sent: f.packetsOut },
    auth: { successes: f.authSuccesses, failures: f.authFailures },
  };
}

/**
 * The statistics of the cluster from its nodes' reports: per node as reported, and a total
 * that sums what each node holds or counts alone. Topics and retained messages are
 * cluster-wide on every node (a filter may have subscribers on several nodes; the retained
 * store is shared), so the total takes the largest report of them instead of a sum.
 */
export function aggregateStats(reports: NodeReport[]): StatsDto {
  let sum = NO_FIGURES;
  for (const { figures: f } of reports) {
    sum = {
      connections: sum.connections + f.connections,
      sessions: sum.sessions + f.sessions,
      subscriptions: sum.subscriptions + f.subscriptions,
      topics: sum.topics + f.topics,
      clusterTopics: Math.max(sum.clusterTopics, f.clusterTopics),
      retained: Math.max(sum.retained, f.retained),
      bytesIn: sum.bytesIn + f.bytesIn,
      bytesOut: sum.bytesOut + f.bytesOut,
      packetsIn: sum.packetsIn + f.packetsIn,
      packetsOut: sum.packetsOut + f.packetsOut,
      messagesIn: addQos(sum.messagesIn, f.messagesIn),
      messagesOut: addQos(sum.messagesOut, f.messagesOut),
      messagesDropped: addQos(sum.messagesDropped, f.messagesDropped),
      authSuccesses: sum.authSuccesses + f.authSuccesses,
      authFailures: sum.authFailures + f.authFailures,
    };
  }
  const nodes = [...reports].sort((a, b) => a.node.localeCompare(b.node)).map((r) => ({ node: r.node, updatedAt: r.updatedAt, ...present(r.figures, r.figures.topics) }));
  return { total: present(sum, sum.clusterTopics), nodes };
}
