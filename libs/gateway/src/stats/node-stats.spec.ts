import { decodeGatewayNodeStats, encodeGatewayNodeStats, isStaleNodeStats } from '@iot/contracts';
import { BrokerStats } from '@iot/mqtt-broker';
import { nodeStatsOf } from './node-stats';

describe(nodeStatsOf.name, () => {
  const now = new Date('2026-12-01T10:00:00.000Z');
  const counters = () => {
    const stats = new BrokerStats();
    stats.messagesIn[1] = 5;
    stats.authFailures = 2;
    const p1 = stats.project('p1');
    p1.messagesIn[1] = 5;
    p1.bytesIn = 100;
    stats.project('p3').authFailures = 1; // a refused login, nothing else
    return stats;
  };

  it('should report the node and every project with sessions, counters or retained messages', () => {
    const report = nodeStatsOf({
      node: 'n1',
      intervalMs: 1_000,
      now,
      stats: counters(),
      occupancy: new Map([['p1', { connections: 2, sessions: 3, subscriptions: 4, topics: 2 }], ['p2', { connections: 1, sessions: 1, subscriptions: 1, topics: 1 }]]),
      clusterFilters: new Map([['p1', 3], ['p2', 1]]),
      retained: new Map([['p4', 7]]),
    });
    expect(report).toMatchObject({ node: 'n1', updatedAt: now.toISOString(), intervalMs: 1_000 });
    expect(report.total).toMatchObject({ connections: 3, sessions: 4, subscriptions: 5, topics: 3, clusterTopics: 4, retained: 7, authFailures: 2, messagesIn: { qos0: 0, qos1: 5, qos2: 0 } });
    expect(report.projects.map((p) => p.projectId)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(report.projects[0]).toMatchObject({ connections: 2, topics: 2, clusterTopics: 3, bytesIn: 100, messagesIn: { qos1: 5 } });
    expect(report.projects[2]).toMatchObject({ connections: 0, authFailures: 1 });
    expect(report.projects[3]).toMatchObject({ retained: 7, sessions: 0 });
  });

  it('should count a lone node\'s own filters as the cluster\'s, and pass the contract\'s validation', () => {
    const report = nodeStatsOf({ node: 'n1', intervalMs: 1_000, now, stats: counters(), occupancy: new Map([['p1', { connections: 1, sessions: 1, subscriptions: 2, topics: 2 }]]), retained: new Map() });
    expect(report.projects[0].clusterTopics).toBe(2);
    expect(decodeGatewayNodeStats(encodeGatewayNodeStats(report))).toEqual(report);
    expect(isStaleNodeStats(report, now.getTime() + 3_000)).toBe(false);
    expect(isStaleNodeStats(report, now.getTime() + 3_001)).toBe(true);
  });

  it('should refuse a malformed entry at the reader', () => {
    const report = nodeStatsOf({ node: 'n1', intervalMs: 1_000, now, stats: counters(), occupancy: new Map(), retained: new Map() });
    expect(decodeGatewayNodeStats(JSON.stringify({ ...report, total: { ...report.total, connections: -1 } }))).toBeUndefined();
    expect(decodeGatewayNodeStats(JSON.stringify({ ...report, projects: [{ projectId: 'bad id!' }] }))).toBeUndefined();
    expect(decodeGatewayNodeStats('not json')).toBeUndefined();
  });
});
