import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ContractViolation } from '../../contract';
import { Headers } from '../../headers';
import { BusRecord } from '../../record';
import { GatewayClientRef } from '../gateway-client-ref';
import { decodeDeviceMessagesV2 } from './decode-v2';
import { DEVICE_MESSAGE_VERSION } from './device-message-pack';
import { DEVICE_MESSAGE_CONTRACT as NAME, DEVICE_MESSAGE_META_HEADER, DeviceMessageMeta, parseObject, validated } from './meta';
import { PublishFrameError, readPublishFrames } from './publish-frame';

/** The version 3 header: the client, the count, the MQTT version of the packets, when they arrived. */
class PackHeader extends GatewayClientRef {
  @IsInt()
  @Min(1)
  count: number;

  @IsIn([3, 4, 5])
  protocolVersion: 3 | 4 | 5;

  /** Epoch ms. */
  @IsInt()
  @Min(0)
  @Max(8.64e15)
  receivedAt: number;

  @IsOptional()
  @IsBoolean()
  will?: boolean;
}

/**
 * Decodes and validates a record of device messages read from the bus: one entry per
 * message, in order, each with its full metadata. Payloads are views into the record's value.
 * Reads version 3 and the version 2 records gateways wrote before.
 * @throws ContractViolation naming what is wrong.
 */
export function decodeDeviceMessages(record: BusRecord): { meta: DeviceMessageMeta; payload: Buffer }[] {
  const version = record.headers[Headers.SchemaVersion];
  if (version === '2') return decodeDeviceMessagesV2(record);
  if (version !== String(DEVICE_MESSAGE_VERSION)) {
    throw new ContractViolation(NAME, `unknown schema version ${JSON.stringify(version)} (this consumer reads versions 2 and ${DEVICE_MESSAGE_VERSION})`);
  }
  const header = validated(PackHeader, parseObject(record.headers[DEVICE_MESSAGE_META_HEADER], `header ${DEVICE_MESSAGE_META_HEADER}`));
  const common = { projectId: header.projectId, clientId: header.clientId, deviceId: header.deviceId, node: header.node };
  const receivedAt = new Date(header.receivedAt).toISOString();
  const messages: { meta: DeviceMessageMeta; payload: Buffer }[] = [];
  try {
    readPublishFrames(record.value ?? Buffer.alloc(0), header.protocolVersion, ({ topic, qos, retain, properties, payload }) => {
      const meta = Object.assign(new DeviceMessageMeta(), common, { topic, qos, retain, receivedAt });
      if (header.will) meta.will = true;
      if (properties) {
        const { payloadFormatIndicator, contentType, responseTopic, correlationData, userProperties } = properties;
        if (payloadFormatIndicator !== undefined) meta.payloadFormatIndicator = payloadFormatIndicator;
        if (contentType !== undefined) meta.contentType = contentType;
        if (responseTopic !== undefined) meta.responseTopic = responseTopic;
        if (correlationData !== undefined) meta.correlationData = correlationData.toString('base64');
        if (userProperties !== undefined) meta.userProperties = userProperties;
      }
      messages.push({ meta, payload });
    });
  } catch (error) {
    if (error instanceof PublishFrameError) throw new ContractViolation(NAME, error.message);
    throw error;
  }
  if (messages.length !== header.count) throw new ContractViolation(NAME, `header says ${header.count} messages, the value holds ${messages.length}`);
  return messages;
}
