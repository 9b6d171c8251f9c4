import { IsBoolean, IsISO8601, IsOptional, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { ContractViolation, describeErrors } from '../../contract';
import { Headers } from '../../headers';
import { RecordKeys } from '../../keys';
import { GatewayClientRef } from '../gateway-client-ref';
import { WithMqttMessage } from '../mqtt-message-fields';
import { BusRecord } from '../../record';
import { Topics } from '../../topics';

const NAME = 'GatewayDeviceMessage';
const VERSION = 1;
const VERSION_TEXT = String(VERSION);

/**
 * Header of `gateway.device.message.v1` holding the metadata as one JSON object (the value
 * is the payload, untouched). One header, not one per field: every header costs the
 * producer an encoding per record, and this topic carries every device message.
 */
export const DEVICE_MESSAGE_META_HEADER = 'iot-mqtt';

/** What the gateway knows of a device message, besides its payload. */
export class DeviceMessageMeta extends WithMqttMessage(GatewayClientRef) {
  @IsISO8601()
  receivedAt: string;

  @IsOptional()
  @IsBoolean()
  will?: boolean;

  @IsOptional()
  @IsBoolean()
  payloadFormatIndicator?: boolean;
}

/**
 * Encodes a device message: the payload as the value, so consumers (rules, connectors) get
 * the device's bytes untouched, and the metadata as one JSON header. Not validated here: the
 * gateway builds it from a packet it already parsed and checked, on its hottest path;
 * consumers validate with {@link decodeDeviceMessage}.
 */
export function encodeDeviceMessage(meta: DeviceMessageMeta, payload: Buffer): BusRecord {
  return {
    topic: Topics.GatewayDeviceMessageV1,
    key: RecordKeys.client(meta.projectId, meta.clientId, meta.deviceId),
    value: payload,
    headers: { [Headers.SchemaVersion]: VERSION_TEXT, [Headers.EventType]: NAME, [DEVICE_MESSAGE_META_HEADER]: JSON.stringify(meta) },
  };
}

/**
 * Decodes and validates a device message read from the bus.
 * @throws ContractViolation naming what is wrong.
 */
export function decodeDeviceMessage(record: BusRecord): { meta: DeviceMessageMeta; payload: Buffer } {
  const h = record.headers;
  if (h[Headers.SchemaVersion] !== VERSION_TEXT) {
    throw new ContractViolation(NAME, `unknown schema version ${JSON.stringify(h[Headers.SchemaVersion])} (this consumer reads version ${VERSION})`);
  }
  let plain: unknown;
  try {
    plain = JSON.parse(h[DEVICE_MESSAGE_META_HEADER] ?? '');
  } catch {
    throw new ContractViolation(NAME, `header ${DEVICE_MESSAGE_META_HEADER} is not a JSON object`);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new ContractViolation(NAME, `header ${DEVICE_MESSAGE_META_HEADER} is not a JSON object`);
  const meta = plainToInstance(DeviceMessageMeta, plain);
  const errors = validateSync(meta, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new ContractViolation(NAME, describeErrors(errors));
  return { meta, payload: record.value ?? Buffer.alloc(0) };
}
