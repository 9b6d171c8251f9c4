import type { Connection } from '../connection';
import type { InboundBytes, InboundPublish } from '../inbound-packet';
import { Message } from '../message';
import { encodeAck } from '../publish-encoder';
import { ReasonCode } from '../reason-codes';
import { topicNameProblem } from '../topics/topic-rules';

/**
 * PUBLISH from a client:
 *  - resolve a 5.0 topic alias                       [MQTT-3.3.2-12]
 *  - validate the topic name                         [MQTT-3.3.2-1], [MQTT-3.3.2-2]
 *  - QoS 2 duplicate: acknowledge again, route once   [MQTT-4.3.3-9]
 *  - bound unacknowledged QoS 2 by Receive Maximum    [MQTT-3.3.4-9]
 *  - authorize; a denied QoS 1/2 gets 0x87 (5.0)
 *  - admit: the platform may hold the publisher until it can take the message
 *  - store or delete the retained message             [MQTT-3.3.1-5..7]
 *  - route, then PUBACK / PUBREC
 */
export function handlePublish(conn: Connection, packet: InboundPublish): void | Promise<void> {
  const broker = conn.broker;
  const client = conn.client!;
  const session = conn.session!;
  const qos = packet.qos;
  const id = packet.messageId;

  let topic = packet.topic;
  const alias = packet.properties?.topicAlias;
  if (alias !== undefined) {
    if (alias === 0 || alias > broker.options.topicAliasMaximum) return conn.close(`topic alias ${alias} is out of range`, ReasonCode.TopicAliasInvalid);
    if (topic.length > 0) conn.inboundAliases.set(alias, topic);
    else {
      const known = conn.inboundAliases.get(alias);
      if (!known) return conn.close(`topic alias ${alias} was never set`, ReasonCode.ProtocolError);
      topic = known;
    }
  }
  const problem = topicNameProblem(topic, broker.options);
  if (problem) return conn.close(problem, ReasonCode.TopicNameInvalid);

  broker.stats.messagesIn[qos]++;
  conn.traffic!.messagesIn[qos]++;
  if (qos === 2) {
    if (session.inboundQos2.has(id!)) {
      conn.send({ cmd: 'pubrec', messageId: id });
      return;
    }
    if (session.inboundQos2.size >= broker.options.receiveMaximum) {
      return conn.close('more unacknowledged QoS 2 publishes than Receive Maximum', ReasonCode.ReceiveMaximumExceeded);
    }
  }

  // Stay synchronous unless the hook is not: a promise per message would pause the socket.
  const allowed = broker.options.hooks.authorizePublish(client, topic);
  if (allowed instanceof Promise) {
    return allowed.then((ok) => {
      if (!conn.closed) return admit(conn, packet, topic, ok);
    });
  }
  return admit(conn, packet, topic, allowed);
}

function admit(conn: Connection, packet: InboundPublish, topic: string, allowed: boolean): void | Promise<void> {
  if (!allowed) return refuse(conn, packet, topic);
  const message = toMessage(conn, packet, topic);
  const held = conn.broker.options.hooks.admitPublish?.(message, conn.client!);
  if (held instanceof Promise) {
    return held.then(() => {
      if (!conn.closed) route(conn, packet, message);
    });
  }
  route(conn, packet, message);
}

function refuse(conn: Connection, packet: InboundPublish, topic: string): void {
  const broker = conn.broker;
  const id = packet.messageId!;
  const v = conn.protocolVersion;
  broker.stats.dropped(conn.client!.projectId, packet.qos);
  broker.options.hooks.onDropped?.(toMessage(conn, packet, topic), 'not authorized', conn.client);
  if (packet.qos === 1) conn.writeRaw(encodeAck(0x40, id, ReasonCode.NotAuthorized, v));
  if (packet.qos === 2) conn.writeRaw(encodeAck(0x50, id, ReasonCode.NotAuthorized, v));
}

function route(conn: Connection, packet: InboundPublish, message: Message): void {
  const broker = conn.broker;
  const qos = packet.qos;
  const id = packet.messageId!;
  const v = conn.protocolVersion;
  broker.source = conn;
  const matched = broker.publish(message, conn.client, bytesOf(packet));
  broker.source = undefined;
  const reasonCode = matched === 0 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success;
  if (qos === 1) conn.writeRaw(encodeAck(0x40, id, reasonCode, v));
  if (qos === 2) {
    conn.session!.inboundQos2.set(id, true);
    conn.writeRaw(encodeAck(0x50, id, reasonCode, v));
  }
}

/** Reused for every publish: hooks may read it only during the call (no object per message). */
const inboundBytes: InboundBytes = { buffer: Buffer.alloc(0), start: 0, end: 0 };

/** The packet's bytes, when the broker has them and they name the topic (not a 5.0 alias alone). */
function bytesOf(packet: InboundPublish): InboundBytes | undefined {
  if (packet.bytes === undefined || packet.topic.length === 0) return undefined;
  inboundBytes.buffer = packet.bytes;
  inboundBytes.start = packet.bytesStart!;
  inboundBytes.end = packet.bytesEnd!;
  return inboundBytes;
}

/**
 * The message a client's PUBLISH carries. Every field is present, `will` and `trackingId`
 * too (undefined on a client's publish): the hot paths read them for every message, and a
 * property an object lacks is a lookup that misses where one it has is a load.
 */
function toMessage(conn: Connection, packet: InboundPublish, topic: string): Message {
  const props = packet.properties;
  const expiry = props?.messageExpiryInterval;
  return {
    projectId: conn.client!.projectId,
    topic,
    payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    origin: conn.client!.clientId,
    originDeviceId: conn.client!.deviceId,
    expiresAt: expiry !== undefined ? Date.now() + expiry * 1000 : undefined,
    properties: props && {
      payloadFormatIndicator: props.payloadFormatIndicator,
      contentType: props.contentType,
      responseTopic: props.responseTopic,
      correlationData: props.correlationData,
      userProperties: props.userProperties as Record<string, string | string[]> | undefined,
      messageExpiryInterval: expiry,
    },
    will: undefined,
    trackingId: undefined,
  };
}
