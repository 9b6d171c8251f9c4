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

/** The 5.0 properties of a message that its frame passes on. */
export interface DeviceMessageProperties {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
}

/**
 * One message as the gateway adds it to a record — the shape of the broker's own message,
 * so it is passed as it is (no object per message on the uplink's hot path).
 */
export interface DeviceMessageFrame {
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  will?: boolean;
  properties?: DeviceMessageProperties;
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

  /**
   * Appends one message received at `receivedAt` (epoch ms). Written by hand rather than with
   * Buffer's write helpers: this runs once per device message, and their argument checks and
   * native calls cost more than the frame's bytes.
   */
  add(frame: DeviceMessageFrame, receivedAt: number, payload: Buffer): void {
    const topic = frame.topic;
    const ascii = isAscii(topic);
    const topicLength = ascii ? topic.length : Buffer.byteLength(topic);
    const properties = frame.properties === undefined ? undefined : passedProperties(frame.properties);
    const propertiesLength = properties === undefined ? 0 : Buffer.byteLength(properties);
    const payloadLength = payload.length;
    const frameBytes = 1 + 8 + 2 + topicLength + (properties === undefined ? 0 : 4 + propertiesLength) + 4 + payloadLength;
    const buffer = this.room(frameBytes);
    let flags: number = frame.qos;
    if (frame.retain) flags |= RETAIN;
    if (frame.will) flags |= WILL;
    const format = frame.properties?.payloadFormatIndicator;
    if (format !== undefined) flags |= HAS_FORMAT | (format ? FORMAT_UTF8 : 0);
    if (properties !== undefined) flags |= HAS_PROPERTIES;
    let offset = this.bytes;
    buffer[offset] = flags;
    writeDoubleBE(buffer, receivedAt, offset + 1);
    buffer[offset + 9] = topicLength >>> 8;
    buffer[offset + 10] = topicLength & 0xff;
    offset += 11;
    if (ascii) for (let i = 0; i < topicLength; i++) buffer[offset + i] = topic.charCodeAt(i);
    else buffer.write(topic, offset, topicLength);
    offset += topicLength;
    if (properties !== undefined) {
      writeUInt32BE(buffer, propertiesLength, offset);
      offset += 4 + buffer.write(properties, offset + 4, propertiesLength);
    }
    writeUInt32BE(buffer, payloadLength, offset);
    offset += 4;
    // A short payload is copied faster byte by byte than through a native call.
    if (payloadLength <= 64) for (let i = 0; i < payloadLength; i++) buffer[offset + i] = payload[i];
    else buffer.set(payload, offset);
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

const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeDoubleBE(buffer: Buffer, value: number, offset: number): void {
  float64[0] = value;
  for (let i = 0; i < 8; i++) buffer[offset + i] = float64Bytes[littleEndian ? 7 - i : i];
}

function writeUInt32BE(buffer: Buffer, value: number, offset: number): void {
  buffer[offset] = value >>> 24;
  buffer[offset + 1] = (value >>> 16) & 0xff;
  buffer[offset + 2] = (value >>> 8) & 0xff;
  buffer[offset + 3] = value & 0xff;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function passedProperties(properties: DeviceMessageProperties): string | undefined {
  const { contentType, responseTopic, correlationData, userProperties } = properties;
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
