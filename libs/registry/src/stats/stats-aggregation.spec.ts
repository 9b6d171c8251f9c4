import { NO_FIGURES, aggregateStats } from './stats-aggregation';

describe(aggregateStats.name, () => {
  const at = '2026-12-01T10:00:00.000Z';

  it('should sum what each node holds and counts, and count cluster-wide topics and retained once', () => {
    const stats = aggregateStats([
      { node: 'n2', updatedAt: at, figures: { ...NO_FIGURES, connections: 1, sessions: 2, subscriptions: 1, topics: 1, clusterTopics: 2, retained: 3, bytesIn: 10, messagesIn: { qos0: 1, qos1: 2, qos2: 0 }, authFailures: 1 } },
      { node: 'n1', updatedAt: at, figures: { ...NO_FIGURES, connections: 2, sessions: 2, subscriptions: 3, topics: 2, clusterTopics: 2, retained: 3, bytesIn: 5, messagesIn: { qos0: 0, qos1: 1, qos2: 4 }, authSuccesses: 2 } },
    ]);
    expect(stats.total).toEqual({
      connections: 3,
      sessions: 4,
      subscriptions: 4,
      topics: 2,
      retained: 3,
      messages: { received: { qos0: 1, qos1: 3, qos2: 4, total: 8 }, sent: { qos0: 0, qos1: 0, qos2: 0, total: 0 }, dropped: { qos0: 0, qos1: 0, qos2: 0, total: 0 } },
      bytes: { received: 15, sent: 0 },
      packets: { received: 0, sent: 0 },
      auth: { successes: 2, failures: 1 },
    });
    expect(stats.nodes.map((n) => [n.node, n.topics, n.connections])).toEqual([
      ['n1', 2, 2],
      ['n2', 1, 1],
    ]);
  });

  it('should report zeros and no nodes when no node reported', () => {
    expect(aggregateStats([])).toMatchObject({ total: { connections: 0, topics: 0, messages: { received: { total: 0 } } }, nodes: [] });
  });
});
