import { Type } from 'class-transformer';
import { IsArray, IsISO8601, IsInt, IsString, Matches, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { PROJECT_ID_PATTERN } from './keys';
import { decodeStateView } from './state-view';

const Count = () => (target: object, key: string) => {
  IsInt()(target, key);
  Min(0)(target, key);
};

/** A counter per QoS level. */
export class QosCounts {
  @Count() qos0: number;
  @Count() qos1: number;
  @Count() qos2: number;
}

/**
 * A gateway node's figures, for the node as a whole or for one project on it. Counters
 * (bytes, packets, messages, logins) count since the node started; the rest is now.
 */
export class NodeFigures {
  /** Connected clients. */
  @Count() connections: number;
  /** Sessions this node holds, connected or parked. */
  @Count() sessions: number;
  /** Subscriptions of those sessions. */
  @Count() subscriptions: number;
  /** Distinct subscription filters on this node. */
  @Count() topics: number;
  /** Distinct subscription filters on every node, as this node's copy of the route table has them. */
  @Count() clusterTopics: number;
  /** Retained messages in the (cluster-wide) retained store. */
  @Count() retained: number;
  @Count() bytesIn: number;
  @Count() bytesOut: number;
  @Count() packetsIn: number;
  @Count() packetsOut: number;
  @ValidateNested() @Type(() => QosCounts) messagesIn: QosCounts;
  @ValidateNested() @Type(() => QosCounts) messagesOut: QosCounts;
  @ValidateNested() @Type(() => QosCounts) messagesDropped: QosCounts;
  @Count() authSuccesses: number;
  @Count() authFailures: number;
}

export class ProjectNodeFigures extends NodeFigures {
  @Matches(PROJECT_ID_PATTERN) projectId: string;
}

/**
 * What one gateway node reports of itself: written by the node to the shared state store
 * every `intervalMs` (hash GATEWAY_STATS_KEY, field = node id), read by the device registry
 * for the statistics endpoints. An entry older than three intervals belongs to a node that
 * is gone (killed, or cut off) and is not counted; a node that stops cleanly removes its own.
 */
export class GatewayNodeStats {
  @IsString() @MinLength(1) node: string;
  @IsISO8601({ strict: true }) updatedAt: string;
  @IsInt() @Min(100) @Max(3_600_000) intervalMs: number;
  @ValidateNested() @Type(() => NodeFigures) total: NodeFigures;
  /** One entry per project with sessions, traffic or retained messages on this node. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => ProjectNodeFigures) projects: ProjectNodeFigures[];
}

/** State-store hash of every gateway node's GatewayNodeStats, by node id. */
export const GATEWAY_STATS_KEY = 'gateway:stats';

export const encodeGatewayNodeStats = (stats: GatewayNodeStats): string => JSON.stringify(stats);

/** The entry stored as `text`, or undefined when it is not a valid one. */
export const decodeGatewayNodeStats = (text: string): GatewayNodeStats | undefined => decodeStateView(GatewayNodeStats, text);

/** Whether an entry is too old to count: its node missed three reports in a row. */
export const isStaleNodeStats = (stats: GatewayNodeStats, now = Date.now()): boolean => now - Date.parse(stats.updatedAt) > 3 * stats.intervalMs;
