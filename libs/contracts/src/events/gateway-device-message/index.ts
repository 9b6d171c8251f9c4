import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length, Matches, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { ContractViolation, describeErrors } from '../../contract';
import { Headers } from '../../headers';
import { PROJECT_ID_PATTERN, RecordKeys } from '../../keys';
import { BusRecord } from '../../record';
import { Topics } from '../../topics';

const NAME = 'GatewayDeviceMessage';
const VERSION = 1;

/** Header names of `gateway.device.message.v1` (the value is the payload, untouched). */
export const DeviceMessageHeaders = {
  ProjectId: 'iot-project-id',
  ClientId: 'iot-client-id',
  DeviceId: 'iot-device-id',
  MqttTopic: 'iot-mqtt-topic',
  Qos: 'iot-mqtt-qos',
  Retain: 'iot-mqtt-retain',
  ReceivedAt: 'iot-received-at',
  Node: 'iot-gateway-node',
  /** Set on a will message the gateway published for a client that went away. */
  Will: 'iot-mqtt-will',
  ContentType: 'iot-mqtt-content-type',
  ResponseTopic: 'iot-mqtt-response-topic',
  /** Base64. */
  CorrelationData: 'iot-mqtt-correlation-data',
  /** JSON object of MQTT 5 user properties. */
  UserProperties: 'iot-mqtt-user-properties',
  PayloadFormatIndicator: 'iot-mqtt-payload-format',
} as const;

/** What the gateway knows of a device message, besides its payload. */
export class DeviceMessageMeta {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @IsString()
  @Length(1, 256)
  clientId: string;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  deviceId?: string;

  @IsString()
  @Length(1, 65535)
  topic: string;

  @IsIn([0, 1, 2])
  qos: 0 | 1 | 2;

  @IsBoolean()
  retain: boolean;

  @IsISO8601()
  receivedAt: string;

  @IsString()
  @Length(1, 200)
  node: string;

  @IsOptional()
  @IsBoolean()
  will?: boolean;

  @IsOptional()
  @IsString()
  contentType?: string;

  @IsOptional()
  @IsString()
  responseTopic?: string;

  @IsOptional()
  @IsString()
  correlationData?: string;

  @IsOptional()
  @IsString()
  userProperties?: string;

  @IsOptional()
  @IsBoolean()
  payloadFormatIndicator?: boolean;
}

const H = DeviceMessageHeaders;

/**
 * Encodes a device message: the payload as the value, so consumers (rules, connectors) get
 * the device's bytes untouched, and the metadata as headers. Not validated here: the gateway
 * builds it from a packet it already parsed and checked, on its hottest path; consumers
 * validate with {@link decodeDeviceMessage}.
 */
export function encodeDeviceMessage(meta: DeviceMessageMeta, payload: Buffer, producer: string): BusRecord {
  const headers: Record<string, string> = {
    [Headers.SchemaVersion]: String(VERSION),
    [Headers.EventType]: NAME,
    [Headers.Producer]: producer,
    [Headers.ProducedAt]: meta.receivedAt,
    [H.ProjectId]: meta.projectId,
    [H.ClientId]: meta.clientId,
    [H.MqttTopic]: meta.topic,
    [H.Qos]: String(meta.qos),
    [H.Retain]: String(meta.retain),
    [H.ReceivedAt]: meta.receivedAt,
    [H.Node]: meta.node,
  };
  if (meta.deviceId !== undefined) headers[H.DeviceId] = meta.deviceId;
  if (meta.will) headers[H.Will] = 'true';
  if (meta.contentType !== undefined) headers[H.ContentType] = meta.contentType;
  if (meta.responseTopic !== undefined) headers[H.ResponseTopic] = meta.responseTopic;
  if (meta.correlationData !== undefined) headers[H.CorrelationData] = meta.correlationData;
  if (meta.userProperties !== undefined) headers[H.UserProperties] = meta.userProperties;
  if (meta.payloadFormatIndicator !== undefined) headers[H.PayloadFormatIndicator] = String(meta.payloadFormatIndicator);
  return { topic: Topics.GatewayDeviceMessageV1, key: RecordKeys.client(meta.projectId, meta.clientId, meta.deviceId), value: payload, headers };
}

/**
 * Decodes and validates a device message read from the bus.
 * @throws ContractViolation naming what is wrong.
 */
export function decodeDeviceMessage(record: BusRecord): { meta: DeviceMessageMeta; payload: Buffer } {
  const h = record.headers;
  if (h[Headers.SchemaVersion] !== String(VERSION)) {
    throw new ContractViolation(NAME, `unknown schema version ${JSON.stringify(h[Headers.SchemaVersion])} (this consumer reads version ${VERSION})`);
  }
  const bool = (value: string | undefined) => (value === undefined ? undefined : value === 'true' ? true : value === 'false' ? false : value);
  const plain = {
    projectId: h[H.ProjectId],
    clientId: h[H.ClientId],
    deviceId: h[H.DeviceId],
    topic: h[H.MqttTopic],
    qos: h[H.Qos] === undefined ? undefined : Number(h[H.Qos]),
    retain: bool(h[H.Retain]),
    receivedAt: h[H.ReceivedAt],
    node: h[H.Node],
    will: bool(h[H.Will]),
    contentType: h[H.ContentType],
    responseTopic: h[H.ResponseTopic],
    correlationData: h[H.CorrelationData],
    userProperties: h[H.UserProperties],
    payloadFormatIndicator: bool(h[H.PayloadFormatIndicator]),
  };
  const meta = plainToInstance(DeviceMessageMeta, plain);
  const errors = validateSync(meta, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new ContractViolation(NAME, describeErrors(errors));
  return { meta, payload: record.value ?? Buffer.alloc(0) };
}
