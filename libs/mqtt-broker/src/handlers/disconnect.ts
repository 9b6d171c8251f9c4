import type { IDisconnectPacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';

/**
 * DISCONNECT from the client. A normal disconnect discards the will [MQTT-3.14.4-3];
 * 5.0 reason 0x04 asks for it to be sent anyway. A 5.0 client may change its session
 * expiry here, but not from zero to non-zero [MQTT-3.14.2-2].
 */
export function handleDisconnect(conn: Connection, packet: IDisconnectPacket): void {
  const session = conn.session!;
  const expiry = packet.properties?.sessionExpiryInterval;
  if (expiry !== undefined) {
    if (session.expiryInterval === 0 && expiry !== 0) {
      conn.close('session expiry cannot be set on DISCONNECT when it was zero at CONNECT', ReasonCode.ProtocolError);
      return;
    }
    session.expiryInterval = Math.min(expiry, conn.broker.options.maxSessionExpiry);
  }
  conn.cleanDisconnect = packet.reasonCode !== ReasonCode.DisconnectWithWill;
  conn.close('client disconnected');
}
