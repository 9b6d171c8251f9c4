import type { Packet } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';
import { handleAuth } from './auth';
import { handleConnect } from './connect';
import { handleDisconnect } from './disconnect';
import { handlePingreq } from './pingreq';
import { handlePuback } from './puback';
import { handlePubcomp } from './pubcomp';
import { handlePublish } from './publish';
import { handlePubrec } from './pubrec';
import { handlePubrel } from './pubrel';
import { handleSubscribe } from './subscribe';
import { handleUnsubscribe } from './unsubscribe';

/** Routes a packet to its handler: one handler per packet type (STYLE rule 7). */
export function dispatch(conn: Connection, packet: Packet): void | Promise<void> {
  if (packet.cmd === 'connect') return handleConnect(conn, packet);
  // [MQTT-3.1.0-1] the first packet from the client must be CONNECT.
  if (!conn.connected) return conn.close(`${packet.cmd} before CONNECT`);
  switch (packet.cmd) {
    case 'publish':
      return handlePublish(conn, packet);
    case 'puback':
      return handlePuback(conn, packet);
    case 'pubrec':
      return handlePubrec(conn, packet);
    case 'pubrel':
      return handlePubrel(conn, packet);
    case 'pubcomp':
      return handlePubcomp(conn, packet);
    case 'subscribe':
      return handleSubscribe(conn, packet);
    case 'unsubscribe':
      return handleUnsubscribe(conn, packet);
    case 'pingreq':
      return handlePingreq(conn);
    case 'disconnect':
      return handleDisconnect(conn, packet);
    case 'auth':
      return handleAuth(conn);
    default:
      // CONNACK, SUBACK, PINGRESP, ... are server-to-client only.
      return conn.close(`unexpected ${packet.cmd} from a client`, ReasonCode.ProtocolError);
  }
}
