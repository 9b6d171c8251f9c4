import { IsInt, Min } from 'class-validator';
import { ContractViolation } from '../../contract';
import { BusRecord } from '../../record';
import { GatewayClientRef } from '../gateway-client-ref';
import { WithMqttMessage } from '../mqtt-message-fields';
import { DEVICE_MESSAGE_CONTRACT as NAME, DEVICE_MESSAGE_META_HEADER, DeviceMessageMeta, parseObject, validated } from './meta';

/** The version 2 header: the client every message of the record came from, and their number. */
class PackHeaderV2 extends GatewayClientRef {
  @IsInt()
  @Min(1)
  count: number;
}

/** The 5.0 properties passed through, when a message has any (JSON inside its frame). */
class PassedProperties extends WithMqttMessage(Object) {}

// Frame flags.
const QOS_MASK = 0b11;
const RETAIN = 1 << 2;
const WILL = 1 << 3;
const HAS_FORMAT = 1 << 4;
const FORMAT_UTF8 = 1 << 5;
const HAS_PROPERTIES = 1 << 6;
const RESERVED = 1 << 7;

/**
 * Reads a record of schema version 2, which gateways wrote before version 3 (records still
 * in Kafka during an upgrade). Its value is a sequence of frames, big-endian:
 *   flags u8 (bits 0-1 QoS, 2 RETAIN, 3 will, 4 payload format given, 5 its value, 6 properties)
 *   receivedAt f64 (epoch ms) · topic length u16 · topic UTF-8
 *   [properties length u32 · properties JSON]   (flag 6)
 *   payload length u32 · payload
 */
export function decodeDeviceMessagesV2(record: BusRecord): { meta: DeviceMessageMeta; payload: Buffer }[] {
  const header = validated(PackHeaderV2, parseObject(record.headers[DEVICE_MESSAGE_META_HEADER], `header ${DEVICE_MESSAGE_META_HEADER}`));
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
