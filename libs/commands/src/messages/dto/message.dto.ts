import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { DEVICE_MESSAGE_ID_PATTERN, DEVICE_MESSAGE_STATUSES, DeviceMessageStatus } from '@iot/contracts';

/** How long a message waits for its device, in seconds: one day unless given, at most 30. */
export const MESSAGE_TTL = { defaultSeconds: 86_400, maxSeconds: 30 * 86_400 } as const;

export class SendMessageDto {
  @ApiPropertyOptional({ example: 'msg-0001', description: 'Unique per device; generated when absent' })
  @IsOptional()
  @Matches(DEVICE_MESSAGE_ID_PATTERN, { message: 'message_id must be 1-64 letters, digits, "_", ".", ":" or "-"' })
  message_id?: string;

  @ApiPropertyOptional({ example: 'firmware_notice' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  name?: string;

  @ApiProperty({ example: { text: 'maintenance at 02:00' }, description: 'Any JSON value: what the device receives as `content`' })
  @IsDefined({ message: 'message must be given' })
  message: unknown;

  @ApiPropertyOptional({ example: 'notices', description: 'Deliver to `$oc/devices/{d}/user/{topic}` instead of `.../sys/messages/down`' })
  @IsOptional()
  // MQTT topics never hold U+0000 [MQTT-4.7.3-2].
  // eslint-disable-next-line no-control-regex
  @Matches(/^(?!\/)[^#+\u0000]{1,256}$/, { message: 'topic must be 1-256 characters, without wildcards, not starting with "/"' })
  topic?: string;

  @ApiPropertyOptional({ example: 3600, default: MESSAGE_TTL.defaultSeconds, minimum: 1, maximum: MESSAGE_TTL.maxSeconds, description: 'Seconds it may wait for the device before it is TIMEOUT' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MESSAGE_TTL.maxSeconds)
  ttl_seconds?: number;
}

export class MessageDto {
  @ApiProperty({ example: 'msg-0001' })
  message_id: string;

  @ApiProperty({ example: 'firmware_notice', nullable: true, type: String })
  name: string | null;

  @ApiProperty({ example: { text: 'maintenance at 02:00' } })
  message: unknown;

  @ApiProperty({ example: '$oc/devices/pump-0042/sys/messages/down' })
  topic: string;

  @ApiProperty({ enum: DEVICE_MESSAGE_STATUSES, example: 'PENDING', description: 'PENDING → DELIVERED (the device acknowledged it) | TIMEOUT (TTL passed) | FAILED (see reason)' })
  status: DeviceMessageStatus;

  @ApiProperty({ example: null, nullable: true, type: String })
  reason: string | null;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-12-02T10:00:00.000Z' })
  expires_at: string;

  @ApiProperty({ example: null, nullable: true, type: String, description: 'When it reached its final status' })
  finished_at: string | null;
}

export class MessageListDto {
  @ApiProperty({ type: [MessageDto], description: 'Newest first' })
  items: MessageDto[];
}

export class MessageListQuery {
  @ApiPropertyOptional({ example: 20, default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
