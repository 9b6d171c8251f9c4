import { IsBoolean, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { decodeStateView } from './state-view';
import { DEVICE_ID_PATTERN, PROJECT_ID_PATTERN } from './keys';

/**
 * What a gateway needs to authenticate a device's CONNECT, by MQTT username: the device
 * registry keeps one entry per device in the shared state store (Redis in cluster mode),
 * written in the same transaction as the change; gateways read it. The key and the shape
 * are the contract between the two, hence here.
 */
export class DeviceAuthEntry {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @Matches(DEVICE_ID_PATTERN)
  deviceId: string;

  @IsBoolean()
  enabled: boolean;

  /** See password-hash.ts; absent until the device's credentials are set. */
  @IsOptional()
  @IsString()
  passwordHash?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  notBefore?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  notAfter?: string;
}

/** State-store key of the entry of the device whose MQTT username is `username`. */
export const deviceAuthKey = (username: string): string => `registry:device-auth:${username}`;

export const encodeDeviceAuthEntry = (entry: DeviceAuthEntry): string => JSON.stringify(entry);

/** The entry stored as `text`, or undefined when it is not a valid one. */
export const decodeDeviceAuthEntry = (text: string): DeviceAuthEntry | undefined => decodeStateView(DeviceAuthEntry, text);
