import type { FlowGate } from './flow-gate';
import { Message } from './message';

/**
 * How a broker takes part in a cluster of gateway nodes; a single node runs without one.
 * The broker tells the cluster which filters it has local subscribers for, hands it every
 * message published here to forward to the other nodes, and asks it before it resumes or
 * starts a session, so that a session lives on exactly one node.
 */
export interface BrokerCluster {
  /** A filter (plain, or `$share/<group>/<filter>`) got its first subscriber on this node. */
  routeAdded(projectId: string, filter: string): void;
  /** A filter lost its last subscriber on this node. */
  routeRemoved(projectId: string, filter: string): void;
  /**
   * A message was published on this node: send it to the other nodes with matching
   * subscriptions, once per node. Returns how many nodes it went to, the shared groups
   * (as `<group>/<filter>`) given to another node, which this node must not deliver, and,
   * when a node it went to has more unacknowledged than it may, the gate its publisher
   * waits on (cross-node backpressure: a slow node slows the publishers on the others).
   */
  forward(message: Message): { nodes: number; sharedElsewhere?: ReadonlySet<string>; congested?: FlowGate };
  /**
   * Before a session is resumed or started here: makes this node its owner, first taking it
   * from the node that holds it (which hands it over through the session store).
   */
  claim(projectId: string, clientId: string, cleanStart: boolean): Promise<void>;
  /** The session is no longer held here: it ended or was handed over. */
  released(projectId: string, clientId: string): void;
}

/** How a shared group is named between nodes: the filter it was subscribed with, minus `$share/`. */
export const sharedGroupKey = (group: string, filter: string): string => `${group}/${filter}`;
