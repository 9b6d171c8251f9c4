/** Three counters, one per QoS level (index = QoS). */
export type PerQos = [number, number, number];

/**
 * Traffic counters of a broker, or of one project on it. Plain fields: the hot path adds to
 * them with one property increment; readers (metrics, the statistics snapshot) copy them.
 */
export class TrafficCounters {
  bytesIn = 0;
  bytesOut = 0;
  /** MQTT control packets of every type, received and sent. */
  packetsIn = 0;
  packetsOut = 0;
  /** Application messages received from clients, by QoS. */
  readonly messagesIn: PerQos = [0, 0, 0];
  /** Application messages sent to subscribers, by QoS. */
  readonly messagesOut: PerQos = [0, 0, 0];
  /** Messages dropped (not authorized, offline QoS 0, queue full, expired, too large), by QoS. */
  readonly messagesDropped: PerQos = [0, 0, 0];
  /** Accepted CONNECTs. */
  authSuccesses = 0;
  /** CONNECTs refused for bad credentials or not being authorized. */
  authFailures = 0;
}

/**
 * Counters the broker keeps for metrics and statistics: the node's totals, and the same
 * counters for each project that had traffic here (a connection holds its project's, so
 * counting for a project costs no lookup on the hot path). A connection counts for its
 * project from its CONNACK on — before that its project is not known — except a refused
 * login, which counts for the project of the device it named when the authenticator knew it.
 */
export class BrokerStats extends TrafficCounters {
  connectionsAccepted = 0;
  private readonly projects = new Map<string, TrafficCounters>();

  /** The counters of one project, created on first use. */
  project(projectId: string): TrafficCounters {
    let counters = this.projects.get(projectId);
    if (!counters) this.projects.set(projectId, (counters = new TrafficCounters()));
    return counters;
  }

  /** Every project with counters on this broker. */
  projectCounters(): ReadonlyMap<string, TrafficCounters> {
    return this.projects;
  }

  /** Counts a dropped message for the node and its project. */
  dropped(projectId: string, qos: 0 | 1 | 2): void {
    this.messagesDropped[qos]++;
    this.project(projectId).messagesDropped[qos]++;
  }
}

/** What a project holds on a broker at one moment (Broker.occupancy). */
export interface Occupancy {
  connections: number;
  /** Sessions, connected or parked (persistent sessions whose client is away). */
  sessions: number;
  subscriptions: number;
  /** Distinct subscription filters. */
  topics: number;
}

/** The sum of a per-QoS counter. */
export const totalOf = (counts: PerQos): number => counts[0] + counts[1] + counts[2];
