import { IsBoolean, IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { defineContract } from '../../contract';
import { DEVICE_ID_PATTERN, DEVICE_USERNAME_PATTERN, PROJECT_ID_PATTERN, RecordKeys } from '../../keys';
import { Topics } from '../../topics';

export const DEVICE_CHANGES = ['created', 'updated', 'deleted', 'credentials'] as const;
export type DeviceChange = (typeof DEVICE_CHANGES)[number];

/**
 * Value of `registry.device.changed.v1`: what a device is after the change (its username
 * and whether it is enabled; absent on `deleted`). `credentials`: its password was set or
 * rotated, or its validity window changed — the secret itself never leaves the registry.
 */
export class RegistryDeviceChangedValue {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @Matches(DEVICE_ID_PATTERN)
  deviceId: string;

  @IsIn(DEVICE_CHANGES)
  change: DeviceChange;

  @IsOptional()
  @Matches(DEVICE_USERNAME_PATTERN)
  username?: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsISO8601()
  occurredAt: string;
}

/** The device registry announces device changes, keyed by device (one device's changes stay in order). */
export const RegistryDeviceChanged = defineContract({
  name: 'RegistryDeviceChanged',
  topic: Topics.RegistryDeviceChangedV1,
  version: 1,
  value: RegistryDeviceChangedValue,
  keyOf: (value: RegistryDeviceChangedValue) => RecordKeys.device(value.projectId, value.deviceId),
});
