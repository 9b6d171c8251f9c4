import { IsBoolean, IsISO8601, IsOptional, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { ContractViolation, describeErrors } from '../../contract';
import { GatewayClientRef } from '../gateway-client-ref';
import { WithMqttMessage } from '../mqtt-message-fields';

export const DEVICE_MESSAGE_CONTRACT = 'GatewayDeviceMessage';

/**
 * Header of `gateway.device.message.v1` holding, as one JSON object, what the messages of
 * the record have in common: the client they came from (project, client, device, node), how
 * many there are, and (since version 3) when they arrived and in which MQTT version they are.
 */
export const DEVICE_MESSAGE_META_HEADER = 'iot-mqtt';

/** What the gateway knows of a device message, besides its payload (one per message, decoded). */
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

export function parseObject(text: string | undefined, what: string): object {
  let plain: unknown;
  try {
    plain = JSON.parse(text ?? '');
  } catch {
    throw new ContractViolation(DEVICE_MESSAGE_CONTRACT, `${what} is not a JSON object`);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new ContractViolation(DEVICE_MESSAGE_CONTRACT, `${what} is not a JSON object`);
  return plain;
}

export function validated<T extends object>(type: new () => T, plain: object, skipMissing = false): T {
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true, skipMissingProperties: skipMissing });
  if (errors.length > 0) throw new ContractViolation(DEVICE_MESSAGE_CONTRACT, describeErrors(errors));
  return instance;
}
