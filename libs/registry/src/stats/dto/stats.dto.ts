import { ApiProperty } from '@nestjs/swagger';

export class QosCountsDto {
  @ApiProperty({ example: 120 })
  qos0: number;

  @ApiProperty({ example: 48 })
  qos1: number;

  @ApiProperty({ example: 2 })
  qos2: number;

  @ApiProperty({ example: 170, description: 'qos0 + qos1 + qos2' })
  total: number;
}

export class MessageCountsDto {
  @ApiProperty({ type: QosCountsDto, description: 'Application messages received from clients (PUBLISH), by QoS' })
  received: QosCountsDto;

  @ApiProperty({ type: QosCountsDto, description: 'Application messages sent to subscribers, by QoS' })
  sent: QosCountsDto;

  @ApiProperty({ type: QosCountsDto, description: 'Messages dropped (not authorized, offline QoS 0, queue full, expired, too large for the client), by QoS' })
  dropped: QosCountsDto;
}

export class InOutDto {
  @ApiProperty({ example: 52_310 })
  received: number;

  @ApiProperty({ example: 61_004 })
  sent: number;
}

export class AuthCountsDto {
  @ApiProperty({ example: 12, description: 'Accepted MQTT logins' })
  successes: number;

  @ApiProperty({ example: 1, description: 'MQTT logins refused for bad credentials or not being authorized' })
  failures: number;
}

/** Figures of the cluster, of one node, or of one project on either. */
export class StatsFiguresDto {
  @ApiProperty({ example: 10, description: 'Connected MQTT clients' })
  connections: number;

  @ApiProperty({ example: 11, description: 'Sessions, connected or parked (persistent sessions whose client is away)' })
  sessions: number;

  @ApiProperty({ example: 14, description: 'Subscriptions of those sessions' })
  subscriptions: number;

  @ApiProperty({ example: 6, description: 'Distinct subscription filters (on a node: its own; in a total: cluster-wide)' })
  topics: number;

  @ApiProperty({ example: 3, description: 'Retained messages (the retained store is cluster-wide: a node reports the whole of it)' })
  retained: number;

  @ApiProperty({ type: MessageCountsDto })
  messages: MessageCountsDto;

  @ApiProperty({ type: InOutDto, description: 'Bytes received from and sent to MQTT clients' })
  bytes: InOutDto;

  @ApiProperty({ type: InOutDto, description: 'MQTT control packets received and sent' })
  packets: InOutDto;

  @ApiProperty({ type: AuthCountsDto })
  auth: AuthCountsDto;
}

export class NodeStatsDto extends StatsFiguresDto {
  @ApiProperty({ example: 'gateway-7f9c' })
  node: string;

  @ApiProperty({ example: '2026-11-23T10:00:05.000Z', description: 'When the node last reported (every MQTT_STATS_INTERVAL_MS)' })
  updatedAt: string;
}

export class StatsDto {
  @ApiProperty({ type: StatsFiguresDto, description: 'The cluster: sums over the nodes, except topics and retained (counted once cluster-wide)' })
  total: StatsFiguresDto;

  @ApiProperty({ type: [NodeStatsDto], description: 'Every gateway node that reported within its last three intervals; counters count since that node started' })
  nodes: NodeStatsDto[];
}
