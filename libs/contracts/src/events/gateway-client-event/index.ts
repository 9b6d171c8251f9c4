import { IsBoolean, IsIn, IsISO8601, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { defineContract } from '../../contract';
import { RecordKeys } from '../../keys';
import { GatewayClientRef } from '../gateway-client-ref';
import { Topics } from '../../topics';

export const CLIENT_EVENT_TYPES = ['connected', 'disconnected', 'subscribed', 'unsubscribed', 'delivered', 'dropped'] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

/**
 * Value of `gateway.client.event.v1`: something happened to an MQTT client. `connectionId`
 * is unique per connection cluster-wide, so a consumer can tell a late `disconnected` of an
 * old connection from the state of a newer one.
 */
export class GatewayClientEventValue extends GatewayClientRef {
  @IsIn(CLIENT_EVENT_TYPES)
  type: ClientEventType;


  @IsString()
  @Length(1, 300)
  connectionId: string;

  @IsISO8601()
  occurredAt: string;

  /** connected: where from, which protocol, clean start. */
  @IsOptional()
  @IsString()
  peerAddress?: string;

  @IsOptional()
  @IsIn([3, 4, 5])
  protocolVersion?: 3 | 4 | 5;

  @IsOptional()
  @IsBoolean()
  cleanStart?: boolean;

  /** disconnected, dropped: why. */
  @IsOptional()
  @IsString()
  @Length(0, 500)
  reason?: string;

  /** subscribed/unsubscribed: the filter; delivered/dropped: the message topic. */
  @IsOptional()
  @IsString()
  @Length(1, 65535)
  topic?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2)
  qos?: number;

  /** delivered/dropped: the platform's tracking id of the message, when it asked to follow it. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  trackingId?: string;
}

/** The gateway reports what happens to its clients; presence, history and rules read it. */
export const GatewayClientEvent = defineContract({
  name: 'GatewayClientEvent',
  topic: Topics.GatewayClientEventV1,
  version: 1,
  value: GatewayClientEventValue,
  keyOf: (value: GatewayClientEventValue) => RecordKeys.client(value.projectId, value.clientId, value.deviceId),
});
