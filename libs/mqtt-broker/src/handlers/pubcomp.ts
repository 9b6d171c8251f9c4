import type { IPubcompPacket } from 'mqtt-packet';
import type { Connection } from '../connection';

/** PUBCOMP: a QoS 2 delivery is complete. */
export function handlePubcomp(conn: Connection, packet: IPubcompPacket): void {
  const session = conn.session!;
  const inflight = session.inflight.get(packet.messageId!);
  if (!inflight || inflight.awaiting !== 'pubcomp') return;
  session.inflight.delete(packet.messageId!);
  conn.broker.delivered(conn, inflight.message);
  conn.broker.drainQueue(session);
}
