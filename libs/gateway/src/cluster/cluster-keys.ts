/**
 * Redis keys and channels of the gateway cluster, in one place. Hash fields and set members
 * that pair a project with a client id join them with NUL, which neither may contain.
 */
export const ClusterKeys = {
  /** Hash node id → JSON {startedAt}: every node that announced itself. */
  nodes: 'mqtt:nodes',
  /** String with a TTL, refreshed by the node's heartbeat: gone means the node is dead. */
  alive: (node: string) => `mqtt:node-alive:${node}`,
  /** Set NX by the one node that cleans up after a dead node. */
  reaping: (node: string) => `mqtt:node-reaping:${node}`,
  /** Hash `<node>\0<project>\0<filter>` → '1': which nodes have local subscribers for what. */
  routes: 'mqtt:routes',
  /** Hash client id → node id: which node holds a session (online or parked). */
  owners: (project: string) => `mqtt:session-owner:${project}`,
  /** Set of `<project>\0<client>` owned by a node, for cleanup when it dies. */
  nodeSessions: (node: string) => `mqtt:node-sessions:${node}`,
  /** Hash client id → JSON presence of a connected client. */
  presence: (project: string) => `mqtt:presence:${project}`,
  /** Set of `<project>\0<client>` connected to a node. */
  nodeClients: (node: string) => `mqtt:node-clients:${node}`,
  /** Hash `<project>\0<client>` → JSON will message of a client connected to a node. */
  nodeWills: (node: string) => `mqtt:node-wills:${node}`,
} as const;

/** Pub/sub channels (not keys: ioredis does not prefix them, so the cluster does). */
export const ClusterChannels = {
  /** Messages for one node: forwarded publishes and take-over requests and replies. */
  node: (prefix: string, node: string) => `${prefix}mqtt:node:${node}`,
  /** Route table changes, for every node's replica. */
  routes: (prefix: string) => `${prefix}mqtt:routes-changed`,
} as const;

export const pair = (project: string, client: string) => `${project}\u0000${client}`;
export const unpair = (value: string): [string, string] => {
  const at = value.indexOf('\u0000');
  return [value.slice(0, at), value.slice(at + 1)];
};
