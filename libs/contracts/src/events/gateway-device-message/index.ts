import { IsBoolean, IsISO8601, IsInt, IsOptional, Min, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { ContractViolation, describeErrors } from '../../contract';
import { Headers } from '../../headers';
import { RecordKeys } from '../../keys';
import { GatewayClientRef } from '../gateway-client-ref';
import { WithMqttMessage } from '../mqtt-message-fields';
import { BusRecord } from '../../record';
import { Topics } from '../../topics';

const NAME = 'GatewayDeviceMessage';
const VERSION = 2;
const VERSION_TEXT = String(VERSION);

/**
 * Header of `gateway.device.message.v1` holding, as one JSON object, what the messages of
 * the record have in common: the client they came from (project, client, device, node) and
 * how many there are.
 */
export const DEVICE_MESSAGE_META_HEADER = 'iot-mqtt';

/** Most messages and bytes one record carries (a larger payload goes in a record of its own). */
export const DEVICE_MESSAGE_PACK_LIMITS = { messages: 1_000, bytes: 256 * 1024 } as const;

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

/** The header: the client every message of the record came from, and their number. */
class DeviceMessagePackHeader extends GatewayClientRef {
  @IsInt()
  @Min(1)
  count: number;
}

/** The 5.0 properties passed through, when a message has any (JSON inside its frame). */
class PassedProperties extends WithMqttMessage(Object) {}

/** One message as the gateway adds it to a record. */
export interface DeviceMessageFrame {
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Epoch milliseconds. */
  receivedAt: number;
  will?: boolean;
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
}

// Frame flags.
const QOS_MASK = 0b11;
const RETAIN = 1 << 2;
const WILL = 1 << 3;
const HAS_FORMAT = 1 << 4;
const FORMAT_UTF8 = 1 << 5;
const HAS_PROPERTIES = 1 << 6;
const RESERVED = 1 << 7;

/**
 * The messages one client published during one event-loop turn, as ONE record keyed by its
 * device: per-device order holds (records of a key stay in order, frames in a record are in
 * order), and the producer pays its per-record cost once per client and turn instead of once
 * per message — the difference between the uplink keeping pace with the MQTT path or not.
 *
 * The value is a sequence of frames, big-endian:
 *   flags u8 (bits 0-1 QoS, 2 RETAIN, 3 will, 4 payload format given, 5 its value, 6 properties)
 *   receivedAt f64 (epoch ms) · topic length u16 · topic UTF-8
 *   [properties length u32 · properties JSON]   (flag 6: content type, response topic,
 *                                                correlation data in base64, user properties)
 *   payload length u32 · payload (the device's bytes, untouched)
 */
export class DeviceMessagePack {
  /** The value being written; grown by doubling. */
  private buffer?: Buffer;
  private bytes = 0;
  count = 0;

  constructor(readonly client: GatewayClientRef) {}

  /** Bytes of the value so far. */
  get size(): number {
    return this.bytes;
  }

  /** Whether another message of `payloadBytes` would take it over its limits. */
  wouldOverflow(payloadBytes: number): boolean {
    return this.count > 0 && (this.count >= DEVICE_MESSAGE_PACK_LIMITS.messages || this.bytes + payloadBytes > DEVICE_MESSAGE_PACK_LIMITS.bytes);
  }

  add(frame: DeviceMessageFrame, payload: Buffer): void {
    const topicLength = Buffer.byteLength(frame.topic);
    const properties = passedProperties(frame);
    const propertiesLength = properties === undefined ? 0 : Buffer.byteLength(properties);
    const frameBytes = 1 + 8 + 2 + topicLength + (properties === undefined ? 0 : 4 + propertiesLength) + 4 + payload.length;
    const buffer = this.room(frameBytes);
    let flags: number = frame.qos;
    if (frame.retain) flags |= RETAIN;
    if (frame.will) flags |= WILL;
    if (frame.payloadFormatIndicator !== undefined) flags |= HAS_FORMAT | (frame.payloadFormatIndicator ? FORMAT_UTF8 : 0);
    if (properties !== undefined) flags |= HAS_PROPERTIES;
    let offset = this.bytes;
    buffer[offset] = flags;
    buffer.writeDoubleBE(frame.receivedAt, offset + 1);
    buffer.writeUInt16BE(topicLength, offset + 9);
    offset += 11 + buffer.write(frame.topic, offset + 11, topicLength);
    if (properties !== undefined) {
      buffer.writeUInt32BE(propertiesLength, offset);
      offset += 4 + buffer.write(properties, offset + 4, propertiesLength);
    }
    buffer.writeUInt32BE(payload.length, offset);
    payload.copy(buffer, offset + 4);
    this.bytes += frameBytes;
    this.count++;
  }

  toRecord(): BusRecord {
    const { projectId, clientId, deviceId, node } = this.client;
    return {
      topic: Topics.GatewayDeviceMessageV1,
      key: RecordKeys.client(projectId, clientId, deviceId),
      value: this.buffer ? this.buffer.subarray(0, this.bytes) : Buffer.alloc(0),
      headers: {
        [Headers.SchemaVersion]: VERSION_TEXT,
        [Headers.EventType]: NAME,
        [DEVICE_MESSAGE_META_HEADER]: JSON.stringify({ projectId, clientId, deviceId, node, count: this.count }),
      },
    };
  }

  /** The buffer, with room for `bytes` more: a client with one message a turn gets exactly its size. */
  private room(bytes: number): Buffer {
    const needed = this.bytes + bytes;
    if (this.buffer && needed <= this.buffer.length) return this.buffer;
    const grown = Buffer.allocUnsafe(this.buffer ? Math.max(needed, this.buffer.length * 2) : needed);
    this.buffer?.copy(grown, 0, 0, this.bytes);
    return (this.buffer = grown);
  }
}

function passedProperties(frame: DeviceMessageFrame): string | undefined {
  const { contentType, responseTopic, correlationData, userProperties } = frame;
  if (contentType === undefined && responseTopic === undefined && !correlationData?.length && userProperties === undefined) return undefined;
  return JSON.stringify({ contentType, responseTopic, correlationData: correlationData?.length ? correlationData.toString('base64') : undefined, userProperties });
}

/**
 * Decodes and validates a record of device messages read from the bus: one entry per
 * message, in order, each with its full metadata. Payloads are views into the record's value.
 * @throws ContractViolation naming what is wrong.
 */
export function decodeDeviceMessages(record: BusRecord): { meta: DeviceMessageMeta; payload: Buffer }[] {
  const h = record.headers;
  if (h[Headers.SchemaVersion] !== VERSION_TEXT) {
    throw new ContractViolation(NAME, `unknown schema version ${JSON.stringify(h[Headers.SchemaVersion])} (this consumer reads version ${VERSION})`);
  }
  const header = validated(DeviceMessagePackHeader, parseObject(h[DEVICE_MESSAGE_META_HEADER], `header ${DEVICE_MESSAGE_META_HEADER}`));
  const common = { projectId: header.projectId, clientId: header.clientId, deviceId: header.deviceId, node: header.node };
  const value = record.value ?? Buffer.alloc(0);
  const messages: { meta: DeviceMessageMeta; payload: Buffer }[] = [];
  let offset = 0;
  const need = (bytes: number) => {
    if (offset + bytes > value.length) throw new ContractViolation(NAME, `value is truncated in message ${messages.length + 1}`);
  };
  while (offset < value.length) {
    need(11);
    const flags = value[offset];
    if (flags & RESERVED || (flags & QOS_MASK) === 3) throw new ContractViolation(NAME, `message ${messages.length + 1} has invalid flags ${flags}`);
    const receivedAt = value.readDoubleBE(offset + 1);
    const topicLength = value.readUInt16BE(offset + 9);
    offset += 11;
    need(topicLength);
    const topic = value.toString('utf8', offset, offset + topicLength);
    offset += topicLength;
    let properties: PassedProperties | undefined;
    if (flags & HAS_PROPERTIES) {
      need(4);
      const length = value.readUInt32BE(offset);
      need(4 + length);
      properties = validated(PassedProperties, parseObject(value.toString('utf8', offset + 4, offset + 4 + length), `message ${messages.length + 1} properties`), true);
      offset += 4 + length;
    }
    need(4);
    const payloadLength = value.readUInt32BE(offset);
    need(4 + payloadLength);
    const payload = value.subarray(offset + 4, offset + 4 + payloadLength);
    offset += 4 + payloadLength;
    if (topicLength === 0) throw new ContractViolation(NAME, `message ${messages.length + 1} has an empty topic`);
    if (!Number.isFinite(receivedAt)) throw new ContractViolation(NAME, `message ${messages.length + 1} has no valid receivedAt`);
    const meta = Object.assign(new DeviceMessageMeta(), common, properties, {
      topic,
      qos: (flags & QOS_MASK) as 0 | 1 | 2,
      retain: (flags & RETAIN) !== 0,
      receivedAt: new Date(receivedAt).toISOString(),
      ...(flags & WILL ? { will: true } : {}),
      ...(flags & HAS_FORMAT ? { payloadFormatIndicator: (flags & FORMAT_UTF8) !== 0 } : {}),
    });
    messages.push({ meta, payload });
  }
  if (messages.length !== header.count) throw new ContractViolation(NAME, `header says ${header.count} messages, the value holds ${messages.length}`);
  return messages;
}

function parseObject(text: string | undefined, what: string): object {
  let plain: unknown;
  try {
    plain = JSON.parse(text ?? '');
  } catch {
    throw new ContractViolation(NAME, `${what} is not a JSON object`);
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new ContractViolation(NAME, `${what} is not a JSON object`);
  return plain;
}

function validated<T extends object>(type: new () => T, plain: object, skipMissing = false): T {
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true, skipMissingProperties: skipMissing });
  if (errors.length > 0) throw new ContractViolation(NAME, describeErrors(errors));
  return instance;
}
