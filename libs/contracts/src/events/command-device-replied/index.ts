import 'reflect-metadata';
import { IsIn, IsISO8601, IsObject, IsOptional, Matches } from 'class-validator';
import { defineContract } from '../../contract';
import { DEVICE_REPLY_KINDS, DeviceReplyKind } from '../../device-topics';
import { DEVICE_ID_PATTERN, PROJECT_ID_PATTERN, RecordKeys } from '../../keys';
import { Topics } from '../../topics';

/**
 * Value of `command.device.replied.v1`: a device answered a command, a property write or a
 * property read. The command-service instance that read the answer from the gateway's device
 * messages is not always the one whose HTTP request waits for it: it announces the answer
 * here, and every instance hears it (each in a consumer group of its own).
 */
export class CommandDeviceRepliedValue {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @Matches(DEVICE_ID_PATTERN)
  deviceId: string;

  /** The request's id: the command id. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  requestId: string;

  @IsIn(DEVICE_REPLY_KINDS)
  kind: DeviceReplyKind;

  /** The device's JSON answer as it sent it ({} when it was no JSON object: see error). */
  @IsObject()
  body: Record<string, unknown>;

  /** Set when the answer was unusable (INVALID_RESPONSE: not a JSON object). */
  @IsOptional()
  @Matches(/^[A-Z_]{1,64}$/)
  error?: string;

  @IsISO8601()
  receivedAt: string;
}

export const CommandDeviceReplied = defineContract({
  name: 'CommandDeviceReplied',
  topic: Topics.CommandDeviceRepliedV1,
  version: 1,
  value: CommandDeviceRepliedValue,
  keyOf: (value: CommandDeviceRepliedValue) => RecordKeys.device(value.projectId, value.deviceId),
});
