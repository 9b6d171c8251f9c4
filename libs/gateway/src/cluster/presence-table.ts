import type Redis from 'ioredis';
import type { ClientInfo, Message } from '@iot/mqtt-broker';
import { fromJson, toJson } from '../storage/buffer-json';
import { ClusterKeys, pair, unpair } from './cluster-keys';

/** Where and since when a client is connected. */
export interface Presence {
  clientId: string;
  projectId: string;
  deviceId?: string;
  username?: string;
  node: string;
  /** Unique per connection cluster-wide: `<node>:<sequence>`. */
  connectionId: string;
  connectedAt: string;
  peerAddress: string;
  protocolVersion: 3 | 4 | 5;
  cleanStart: boolean;
}

/** Removes a presence only if it is still this connection's: a late disconnect never erases a newer connect. */
const REMOVE_IF_OURS = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and cjson.decode(current).connectionId == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('SREM', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
return current and 1 or 0`;

/** Removes a presence only if it still points at the given node. */
const REMOVE_IF_ON_NODE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and cjson.decode(current).node == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) return current end
return false`;

/**
 * The online-presence table in Redis: client → node, connected-at, peer address, protocol
 * version, clean start. Each node also keeps the set of its clients and their wills, so
 * that when it dies another node can mark them offline and send their wills, once.
 */
export class PresenceTable {
  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
  ) {}

  async connected(client: ClientInfo, details: { cleanStart: boolean; will?: Message }): Promise<Presence> {
    const presence: Presence = {
      clientId: client.clientId,
      projectId: client.projectId,
      ...(client.deviceId !== undefined ? { deviceId: client.deviceId } : {}),
      ...(client.username !== undefined ? { username: client.username } : {}),
      node: this.nodeId,
      connectionId: connectionIdOf(this.nodeId, client),
      connectedAt: new Date().toISOString(),
      peerAddress: client.peerAddress,
      protocolVersion: client.protocolVersion,
      cleanStart: details.cleanStart,
    };
    const member = pair(client.projectId, client.clientId);
    const multi = this.redis.multi().hset(ClusterKeys.presence(client.projectId), client.clientId, JSON.stringify(presence)).sadd(ClusterKeys.nodeClients(this.nodeId), member);
    if (details.will) multi.hset(ClusterKeys.nodeWills(this.nodeId), member, toJson(details.will));
    await multi.exec();
    return presence;
  }

  /** Resolves to whether this connection was still the one present. */
  async disconnected(client: ClientInfo): Promise<boolean> {
    const member = pair(client.projectId, client.clientId);
    const removed = await this.redis.eval(
      REMOVE_IF_OURS,
      3,
      ClusterKeys.presence(client.projectId),
      ClusterKeys.nodeClients(this.nodeId),
      ClusterKeys.nodeWills(this.nodeId),
      client.clientId,
      connectionIdOf(this.nodeId, client),
      member,
    );
    return removed === 1;
  }

  async get(projectId: string, clientId: string): Promise<Presence | undefined> {
    const text = await this.redis.hget(ClusterKeys.presence(projectId), clientId);
    return text ? (JSON.parse(text) as Presence) : undefined;
  }

  /**
   * Marks every client of a dead node offline: resolves to the presences removed (a client
   * that already reconnected elsewhere is left alone) and the wills they left.
   */
  async removeNode(node: string): Promise<{ offline: Presence[]; wills: Message[] }> {
    const members = await this.redis.smembers(ClusterKeys.nodeClients(node));
    const offline: Presence[] = [];
    for (const member of members) {
      const [projectId, clientId] = unpair(member);
      const removed = (await this.redis.eval(REMOVE_IF_ON_NODE, 1, ClusterKeys.presence(projectId), clientId, node)) as string | null;
      if (removed) offline.push(JSON.parse(removed) as Presence);
    }
    const wills = Object.values(await this.redis.hgetall(ClusterKeys.nodeWills(node))).map((text) => fromJson<Message>(text));
    await this.redis.del(ClusterKeys.nodeClients(node), ClusterKeys.nodeWills(node));
    return { offline, wills };
  }
}

export const connectionIdOf = (node: string, client: ClientInfo) => `${node}:${client.connectionSeq}`;
