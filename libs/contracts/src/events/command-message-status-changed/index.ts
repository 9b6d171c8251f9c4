import 'reflect-metadata';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { defineContract } from '../../contract';
import { DEVICE_ID_PATTERN, PROJECT_ID_PATTERN, RecordKeys } from '../../keys';
import { Topics } from '../../topics';

export const DEVICE_MESSAGE_STATUSES = ['PENDING', 'DELIVERED', 'TIMEOUT', 'FAILED'] as const;
export type DeviceMessageStatus = (typeof DEVICE_MESSAGE_STATUSES)[number];

/** Device message ids: 1-64 letters, digits, `_`, `.`, `:` or `-` (they travel as tracking ids). */
export const DEVICE_MESSAGE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Value of `command.message.status-changed.v1`: a device message (SPEC 4.10) entered a
 * status — PENDING when it is accepted, then DELIVERED (the device acknowledged it),
 * TIMEOUT (its TTL passed first) or FAILED (with a reason). The rule engine's
 * `message_status_changed` events come from here.
 */
export class DeviceMessageStatusChangedValue {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @Matches(DEVICE_ID_PATTERN)
  deviceId: string;

  @Matches(DEVICE_MESSAGE_ID_PATTERN)
  messageId: string;

  @IsIn(DEVICE_MESSAGE_STATUSES)
  status: DeviceMessageStatus;

  /** FAILED: why. */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;

  @IsISO8601()
  changedAt: string;
}

export const DeviceMessageStatusChanged = defineContract({
  name: 'DeviceMessageStatusChanged',
  topic: Topics.CommandMessageStatusChangedV1,
  version: 1,
  value: DeviceMessageStatusChangedValue,
  keyOf: (value: DeviceMessageStatusChangedValue) => RecordKeys.device(value.projectId, value.deviceId),
});
