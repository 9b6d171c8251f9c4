import type { IPubackPacket } from 'mqtt-packet';
import type { Connection } from '../connection';

/** PUBACK: a QoS 1 delivery is complete; the window has room for the next queued one. */
export function handlePuback(conn: Connection, packet: IPubackPacket): void {
  const session = conn.session!;
  const inflight = session.inflight.get(packet.messageId!);
  if (!inflight || inflight.awaiting !== 'puback') return; // late or duplicate ack: nothing to do
  session.inflight.delete(packet.messageId!);
  conn.broker.delivered(conn, inflight.message);
  conn.broker.drainQueue(session);
}
