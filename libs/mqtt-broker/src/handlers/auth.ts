import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';

/**
 * Enhanced authentication (5.0 AUTH) is not supported: CONNECT with an Authentication
 * Method is refused with 0x8C in the CONNECT handler, so an AUTH packet here is a protocol
 * error [MQTT-4.12.0-1].
 */
export function handleAuth(conn: Connection): void {
  conn.close('enhanced authentication is not supported', ReasonCode.ProtocolError);
}
