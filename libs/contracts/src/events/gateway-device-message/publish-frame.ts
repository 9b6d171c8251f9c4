/**
 * MQTT PUBLISH packets [MQTT-3.3] as `gateway.device.message.v1` carries them: the device's
 * own bytes where the gateway has them, or written here (a will, a topic sent as an alias).
 * Plain code, no MQTT library: every service reads these, and the format is the standard's.
 */
import { readVarInt, varIntSize, writeVarInt } from '../../mqtt-var-int';

/** The 5.0 properties of a message that the record passes on. */
export interface DeviceMessageProperties {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
}

/** A message the gateway writes a PUBLISH packet for — the shape of the broker's own message. */
export interface DeviceMessageFrame {
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: DeviceMessageProperties;
}

/** One PUBLISH packet read back: what the platform needs of it. */
export interface DecodedPublish {
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: DeviceMessageProperties;
  /** A view of the record's value. */
  payload: Buffer;
}

/** Why a packet could not be read (the caller names the record and the message). */
export class PublishFrameError extends Error {}

// 5.0 property identifiers [MQTT-2.2.2.2].
const PAYLOAD_FORMAT = 0x01;
const MESSAGE_EXPIRY = 0x02;
const CONTENT_TYPE = 0x03;
const RESPONSE_TOPIC = 0x08;
const CORRELATION_DATA = 0x09;
const SUBSCRIPTION_ID = 0x0b;
const TOPIC_ALIAS = 0x23;
const USER_PROPERTY = 0x26;

/**
 * A PUBLISH packet for `frame` in protocol version `version` (3.1 and 3.1.1 have no
 * properties: theirs are left out). Its packet identifier (QoS 1/2) is 1: identifiers mean
 * nothing outside the connection they were sent on.
 */
export function encodePublishFrame(frame: DeviceMessageFrame, payload: Buffer, version: 3 | 4 | 5): Buffer {
  const topic = Buffer.from(frame.topic, 'utf8');
  const properties = version === 5 ? encodeProperties(frame.properties) : undefined;
  const body = 2 + topic.length + (frame.qos > 0 ? 2 : 0) + (properties ? varIntSize(properties.length) + properties.length : 0) + payload.length;
  const out = Buffer.allocUnsafe(1 + varIntSize(body) + body);
  out[0] = 0x30 | (frame.qos << 1) | (frame.retain ? 1 : 0);
  let offset = writeVarInt(out, body, 1);
  offset = out.writeUInt16BE(topic.length, offset);
  offset += topic.copy(out, offset);
  if (frame.qos > 0) offset = out.writeUInt16BE(1, offset);
  if (properties) {
    offset = writeVarInt(out, properties.length, offset);
    offset += properties.copy(out, offset);
  }
  payload.copy(out, offset);
  return out;
}

function encodeProperties(properties: DeviceMessageProperties | undefined): Buffer {
  if (!properties) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  const { payloadFormatIndicator, contentType, responseTopic, correlationData, userProperties } = properties;
  if (payloadFormatIndicator !== undefined) parts.push(Buffer.from([PAYLOAD_FORMAT, payloadFormatIndicator ? 1 : 0]));
  if (contentType !== undefined) parts.push(Buffer.from([CONTENT_TYPE]), lengthPrefixed(Buffer.from(contentType, 'utf8')));
  if (responseTopic !== undefined) parts.push(Buffer.from([RESPONSE_TOPIC]), lengthPrefixed(Buffer.from(responseTopic, 'utf8')));
  if (correlationData !== undefined) parts.push(Buffer.from([CORRELATION_DATA]), lengthPrefixed(correlationData));
  for (const [name, values] of Object.entries(userProperties ?? {})) {
    for (const value of Array.isArray(values) ? values : [values]) {
      parts.push(Buffer.from([USER_PROPERTY]), lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(value, 'utf8')));
    }
  }
  return Buffer.concat(parts);
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

/**
 * Reads the PUBLISH packets that make up `value`, one call of `onPacket` each, in order.
 * Checks what a reader relies on: the packet type, QoS, lengths that stay inside the value,
 * a topic (never an alias alone: the gateway writes those out), known properties.
 * @throws PublishFrameError naming the packet (1-based) and what is wrong with it.
 */
export function readPublishFrames(value: Buffer, version: 3 | 4 | 5, onPacket: (packet: DecodedPublish) => void): void {
  let offset = 0;
  let index = 0;
  while (offset < value.length) {
    index++;
    const first = value[offset];
    const qos = (first >> 1) & 3;
    if (first >> 4 !== 3) failAt(index, `is no PUBLISH packet (first byte 0x${first.toString(16)})`);
    if (qos === 3) failAt(index, 'has QoS 3');
    const length = readVarInt(value, offset + 1);
    if (!length) failAt(index, 'has a malformed or truncated Remaining Length');
    const end = length!.next + length!.value;
    if (end > value.length) failAt(index, 'is truncated');
    let p = length!.next;
    if (p + 2 > end) failAt(index, 'is truncated');
    const topicEnd = p + 2 + value.readUInt16BE(p);
    if (topicEnd > end) failAt(index, 'is truncated');
    if (topicEnd === p + 2) failAt(index, 'has an empty topic');
    const topic = value.toString('utf8', p + 2, topicEnd);
    p = topicEnd + (qos > 0 ? 2 : 0);
    let properties: DeviceMessageProperties | undefined;
    if (version === 5) {
      const propertiesLength = readVarInt(value, p);
      if (!propertiesLength || propertiesLength.next + propertiesLength.value > end) failAt(index, 'has truncated properties');
      properties = readProperties(value, propertiesLength!.next, propertiesLength!.next + propertiesLength!.value, index);
      p = propertiesLength!.next + propertiesLength!.value;
    }
    if (p > end) failAt(index, 'is truncated');
    onPacket({ topic, qos: qos as 0 | 1 | 2, retain: (first & 1) !== 0, properties, payload: value.subarray(p, end) });
    offset = end;
  }
}

function failAt(index: number, why: string): never {
  throw new PublishFrameError(`message ${index} ${why}`);
}

function readProperties(value: Buffer, start: number, end: number, index: number): DeviceMessageProperties | undefined {
  if (start === end) return undefined;
  const fail = (why: string) => failAt(index, why);
  const out: DeviceMessageProperties = {};
  let p = start;
  const need = (bytes: number) => {
    if (p + bytes > end) fail('has truncated properties');
  };
  const bytes = (): Buffer => {
    need(2);
    const length = value.readUInt16BE(p);
    need(2 + length);
    const slice = value.subarray(p + 2, p + 2 + length);
    p += 2 + length;
    return slice;
  };
  const text = () => bytes().toString('utf8');
  while (p < end) {
    const id = value[p++];
    switch (id) {
      case PAYLOAD_FORMAT:
        need(1);
        out.payloadFormatIndicator = value[p++] === 1;
        break;
      case MESSAGE_EXPIRY:
        need(4);
        p += 4;
        break;
      case TOPIC_ALIAS:
        need(2);
        p += 2;
        break;
      case SUBSCRIPTION_ID: {
        const id = readVarInt(value, p);
        if (!id || id.next > end) fail('has truncated properties');
        p = id!.next;
        break;
      }
      case CONTENT_TYPE:
        out.contentType = text();
        break;
      case RESPONSE_TOPIC:
        out.responseTopic = text();
        break;
      case CORRELATION_DATA:
        out.correlationData = bytes();
        break;
      case USER_PROPERTY: {
        const name = text();
        const entry = text();
        const users = (out.userProperties ??= {});
        const known = users[name];
        users[name] = known === undefined ? entry : Array.isArray(known) ? [...known, entry] : [known, entry];
        break;
      }
      default:
        fail(`has an unknown property 0x${id.toString(16)}`);
    }
  }
  return out;
}
