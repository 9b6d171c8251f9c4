// Minimal MQTT framing for the load generator: it must stay far cheaper than the broker it
// loads, so it never fully parses packets — it splits frames and reads the few bytes it needs.
import mqttPacket from 'mqtt-packet';

export const PUBLISH = 3;
export const PUBACK = 4;
export const CONNACK = 2;
export const SUBACK = 9;

/** Splits a byte stream into MQTT frames; calls onFrame(type, flags, buffer, start, end). */
export class FrameReader {
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.rest = null;
  }

  push(chunk) {
    let buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      if (buf.length - pos < 2) break;
      let length = 0;
      let multiplier = 1;
      let i = pos + 1;
      let complete = false;
      for (; i < buf.length && i < pos + 5; i++) {
        const byte = buf[i];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          i++;
          break;
        }
      }
      if (!complete || buf.length < i + length) break;
      this.onFrame(buf[pos] >> 4, buf[pos] & 0x0f, buf, i, i + length);
      pos = i + length;
    }
    this.rest = pos < buf.length ? buf.subarray(pos) : null;
    if (this.rest && this.rest.length > 0 && pos > 0) this.rest = Buffer.from(this.rest);
  }
}

export const connectPacket = (clientId, version = 4, extra = {}) =>
  mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clean: true, clientId, keepalive: 300, ...extra }, { protocolVersion: version });

export const subscribePacket = (topic, qos, version = 4) =>
  mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] }, { protocolVersion: version });

/** A PUBLISH template; for QoS 1 the packet id sits at `idOffset` and the payload at the end. */
export function publishTemplate(topic, payloadSize, qos) {
  const payload = Buffer.alloc(payloadSize, 0x61);
  const bytes = mqttPacket.generate({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...(qos ? { messageId: 1 } : {}) });
  const idOffset = qos ? bytes.length - payloadSize - 2 : -1;
  return { bytes, idOffset, payloadOffset: bytes.length - payloadSize };
}

/** Packet id of a QoS 1/2 PUBLISH frame (MQTT 3.1.1 or 5.0 layout: id follows the topic). */
export function publishPacketId(buf, start) {
  const topicLength = buf.readUInt16BE(start);
  return buf.readUInt16BE(start + 2 + topicLength);
}

export const pubackFor = (id) => Buffer.from([0x40, 0x02, id >> 8, id & 0xff]);
