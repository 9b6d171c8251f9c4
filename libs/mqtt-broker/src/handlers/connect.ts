import { randomBytes } from 'node:crypto';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { AuthenticationResult, ClientInfo } from '../hooks';
import { ConnackReturnCode, ReasonCode } from '../reason-codes';
import { Will } from '../session/session';
import { topicNameProblem } from '../topics/topic-rules';

const NEVER_EXPIRES = 0xffffffff;
const MAX_CLIENT_ID_BYTES = 256;

/**
 * CONNECT, as an explicit list of steps (aedes `connect.js`, EMQX `emqx_channel`):
 *  1. refuse a second CONNECT             [MQTT-3.1.0-2]
 *  2. adopt the protocol version          (3.1 = 3, 3.1.1 = 4, 5.0 = 5)
 *  3. refuse enhanced authentication      (5.0 Authentication Method → 0x8C)
 *  4. check or assign the client id       [MQTT-3.1.3-5..9]
 *  5. check the will topic                [MQTT-3.1.2-9]
 *  6. authenticate through the hook      (0x04/0x05, 0x86/0x87)
 *  7. negotiate keepalive, session expiry, receive maximum, packet size
 *  8. take over or resume the session     [MQTT-3.1.4-3], [MQTT-3.2.2-2]
 *     (from the session store when this broker does not hold it: 0x88 if unreachable)
 *  9. answer CONNACK, then resend in-flight and queued deliveries [MQTT-4.4.0-1]
 */
export async function handleConnect(conn: Connection, packet: IConnectPacket): Promise<void> {
  const broker = conn.broker;
  const options = broker.options;

  // 1.
  if (conn.client) return conn.close('second CONNECT', ReasonCode.ProtocolError);

  // 2.
  const version = (packet.protocolVersion ?? 4) as 3 | 4 | 5;
  conn.setProtocolVersion(version);
  /** `projectId`: the project whose credentials were refused, when the authenticator knew it. */
  const refuse = (code5: number, code3: number, reason: string, projectId?: string) => {
    if (code5 === ReasonCode.BadUserNameOrPassword || code5 === ReasonCode.NotAuthorized) {
      broker.stats.authFailures++;
      if (projectId !== undefined) broker.stats.project(projectId).authFailures++;
    }
    conn.send(version === 5 ? ({ cmd: 'connack', sessionPresent: false, reasonCode: code5, properties: { reasonString: reason } } as IConnackPacket) : { cmd: 'connack', sessionPresent: false, returnCode: code3 });
    conn.close(reason);
  };

  // 3.
  if (version === 5 && packet.properties?.authenticationMethod) {
    return refuse(ReasonCode.BadAuthenticationMethod, ConnackReturnCode.NotAuthorized, 'enhanced authentication is not supported');
  }

  // 4.
  let clientId = packet.clientId ?? '';
  let assignedClientId: string | undefined;
  const clean = packet.clean !== false;
  conn.cleanStart = clean;
  if (clientId.length === 0) {
    if (version === 3 || (version === 4 && !clean)) {
      // 3.1 requires 1-23 characters; 3.1.1 needs a client id to keep a session [MQTT-3.1.3-8].
      return refuse(ReasonCode.ClientIdentifierNotValid, ConnackReturnCode.IdentifierRejected, 'a client identifier is required');
    }
    clientId = assignedClientId = `auto-${randomBytes(9).toString('base64url')}`;
  }
  if (version === 3 && clientId.length > 23) {
    return refuse(ReasonCode.ClientIdentifierNotValid, ConnackReturnCode.IdentifierRejected, 'MQTT 3.1 client identifiers have at most 23 characters');
  }
  if (Buffer.byteLength(clientId) > MAX_CLIENT_ID_BYTES) {
    return refuse(ReasonCode.ClientIdentifierNotValid, ConnackReturnCode.IdentifierRejected, `client identifiers have at most ${MAX_CLIENT_ID_BYTES} bytes`);
  }

  // 5.
  if (packet.will) {
    const problem = topicNameProblem(packet.will.topic, options);
    if (problem) return refuse(ReasonCode.TopicNameInvalid, ConnackReturnCode.NotAuthorized, `will ${problem}`);
  }

  // 6.
  let auth: AuthenticationResult;
  conn.authenticatedAt = Date.now();
  try {
    auth = await options.hooks.authenticate({ clientId, username: packet.username, password: packet.password, peerAddress: conn.peerAddress, protocolVersion: version });
  } catch {
    auth = { ok: false, reason: 'unavailable' };
  }
  if (conn.closed) return;
  if (!auth.ok) {
    switch (auth.reason) {
      case 'bad-credentials':
        return refuse(ReasonCode.BadUserNameOrPassword, ConnackReturnCode.BadUserNameOrPassword, 'bad user name or password', auth.projectId);
      case 'banned':
        return refuse(ReasonCode.Banned, ConnackReturnCode.NotAuthorized, 'banned');
      case 'unavailable':
        return refuse(ReasonCode.ServerUnavailable, ConnackReturnCode.ServerUnavailable, 'authentication is unavailable');
      default:
        return refuse(ReasonCode.NotAuthorized, ConnackReturnCode.NotAuthorized, 'not authorized', auth.projectId);
    }
  }

  // 7.
  let keepAlive = packet.keepalive ?? 0;
  const cappedKeepAlive = options.maxKeepAlive < 65535 && (keepAlive === 0 || keepAlive > options.maxKeepAlive);
  if (cappedKeepAlive) keepAlive = options.maxKeepAlive;
  conn.keepAliveMs = keepAlive * 1000;
  const requestedExpiry = version === 5 ? (packet.properties?.sessionExpiryInterval ?? 0) : clean ? 0 : NEVER_EXPIRES;
  const expiry = Math.min(requestedExpiry, options.maxSessionExpiry);
  if (version === 5) {
    conn.clientReceiveMaximum = packet.properties?.receiveMaximum ?? 65535;
    conn.clientMaximumPacketSize = packet.properties?.maximumPacketSize ?? Number.MAX_SAFE_INTEGER;
    conn.clientTopicAliasMaximum = packet.properties?.topicAliasMaximum ?? 0;
  }

  // 8.
  const client: ClientInfo = {
    clientId,
    projectId: auth.projectId,
    username: packet.username,
    deviceId: auth.deviceId,
    protocolVersion: version,
    peerAddress: conn.peerAddress,
    connectionSeq: broker.nextConnectionSeq(),
  };
  // 3.1.1: clean session ends the old session; 5.0: clean start does [MQTT-3.1.2-4].
  let attached: Awaited<ReturnType<typeof broker.attachSession>>;
  try {
    attached = await broker.attachSession(conn, client, clean);
  } catch (error) {
    options.hooks.onStoreError?.(error as Error, 'resuming a session');
    if (conn.closed) return;
    return refuse(ReasonCode.ServerUnavailable, ConnackReturnCode.ServerUnavailable, 'the session store is unavailable');
  }
  if (!attached) return;
  const { session, present } = attached;
  session.expiryInterval = expiry;
  session.will = packet.will && willOf(packet, client);
  conn.accept(client, session);
  broker.stats.authSuccesses++;
  conn.traffic!.authSuccesses++;

  // 9.
  const connack: IConnackPacket = { cmd: 'connack', sessionPresent: present };
  if (version === 5) {
    connack.reasonCode = ReasonCode.Success;
    connack.properties = {
      receiveMaximum: options.receiveMaximum,
      maximumPacketSize: options.maxPacketSize,
      topicAliasMaximum: options.topicAliasMaximum,
      ...(expiry !== requestedExpiry ? { sessionExpiryInterval: expiry } : {}),
      ...(cappedKeepAlive ? { serverKeepAlive: keepAlive } : {}),
      ...(assignedClientId ? { assignedClientIdentifier: assignedClientId } : {}),
    };
  } else {
    connack.returnCode = ConnackReturnCode.Accepted;
  }
  conn.send(connack);
  broker.connected(conn);
  // Credentials that end end the connection with them (checked at once: they may have ended while it connected).
  if (auth.expiresAt !== undefined) conn.closeAt(auth.expiresAt, 'credentials expired', ReasonCode.NotAuthorized);
}

function willOf(packet: IConnectPacket, client: ClientInfo): Will {
  const will = packet.will!;
  const properties = will.properties;
  const expiry = properties?.messageExpiryInterval;
  return {
    delaySeconds: properties?.willDelayInterval ?? 0,
    message: {
      projectId: client.projectId,
      topic: will.topic,
      payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload ?? ''),
      qos: (will.qos ?? 0) as 0 | 1 | 2,
      retain: will.retain ?? false,
      origin: client.clientId,
      originDeviceId: client.deviceId,
      will: true,
      properties: properties && {
        contentType: properties.contentType,
        responseTopic: properties.responseTopic,
        correlationData: properties.correlationData,
        payloadFormatIndicator: properties.payloadFormatIndicator,
        userProperties: properties.userProperties as Record<string, string | string[]> | undefined,
        messageExpiryInterval: expiry,
      },
    },
  };
}
