// class-transformer's @Type reads design-time metadata: load the polyfill wherever contracts are used.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { WithMqttMessage } from '../mqtt-message-fields';
import { defineContract } from '../../contract';
import { PROJECT_ID_PATTERN, RecordKeys } from '../../keys';
import { Topics } from '../../topics';

export const GATEWAY_ACTIONS = ['publish', 'kick', 'subscribe', 'unsubscribe'] as const;
export type GatewayAction = (typeof GATEWAY_ACTIONS)[number];

/** A message the platform publishes into a project (as a client would, with no publisher). */
export class PlatformMessage extends WithMqttMessage(Object) {
  /** The payload, base64 (empty for an empty payload, e.g. to delete a retained message). */
  @IsString()
  @Matches(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'payload must be base64' })
  payload: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  messageExpiryInterval?: number;

  /**
   * Follow this message's delivery: the gateway reports its client's acknowledgement (QoS
   * 1/2) or its drop as `delivered` / `dropped` client events carrying this id, whether or
   * not it reports deliveries in general.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'trackingId must be 1-128 letters, digits, "_", ".", ":" or "-"' })
  trackingId?: string;
}

/**
 * Value of `gateway.command.v1`: something another service asks of the gateway cluster,
 * without knowing which node holds the client — publish a message into a project, kick a
 * client, or add or remove a subscription for it (proxy subscriptions, also for a
 * disconnected client with a persistent session).
 */
export class GatewayCommandValue {
  @IsIn(GATEWAY_ACTIONS)
  action: GatewayAction;

  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  /** kick, subscribe, unsubscribe: the MQTT client id. */
  @ValidateIf((o: GatewayCommandValue) => o.action !== 'publish')
  @IsString()
  @Length(1, 256)
  clientId?: string;

  /** publish: the message. */
  @ValidateIf((o: GatewayCommandValue) => o.action === 'publish')
  @ValidateNested()
  @Type(() => PlatformMessage)
  message?: PlatformMessage;

  /** subscribe, unsubscribe: the topic filter. */
  @ValidateIf((o: GatewayCommandValue) => o.action === 'subscribe' || o.action === 'unsubscribe')
  @IsString()
  @Length(1, 65535)
  filter?: string;

  /** subscribe: the granted QoS. */
  @ValidateIf((o: GatewayCommandValue) => o.action === 'subscribe')
  @IsInt()
  @Min(0)
  @Max(2)
  qos?: number;

  @IsISO8601()
  requestedAt: string;
}

/** Services ask the gateway cluster to act on clients; one node takes each command. */
export const GatewayCommand = defineContract({
  name: 'GatewayCommand',
  topic: Topics.GatewayCommandV1,
  version: 1,
  value: GatewayCommandValue,
  // Per client (so a subscribe and a later kick stay in order); publishes per topic's project.
  keyOf: (value: GatewayCommandValue) => (value.clientId ? RecordKeys.client(value.projectId, value.clientId) : RecordKeys.project(value.projectId)),
});
