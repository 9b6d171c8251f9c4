import type { IPubrecPacket } from 'mqtt-packet';
import type { Connection } from '../connection';

/** PUBREC: first half of a QoS 2 delivery; answer PUBREL [MQTT-4.3.3-4]. A 5.0 failure code ends it. */
export function handlePubrec(conn: Connection, packet: IPubrecPacket): void {
  const session = conn.session!;
  const id = packet.messageId!;
  const inflight = session.inflight.get(id);
  if (inflight && (packet.reasonCode ?? 0) >= 0x80) {
    session.inflight.delete(id);
    conn.broker.drainQueue(session);
    return;
  }
  if (inflight) inflight.awaiting = 'pubcomp';
  // Even for an unknown id, PUBREL lets the client finish its state [MQTT-4.3.3-4].
  conn.send({ cmd: 'pubrel', messageId: id, ...(inflight ? {} : conn.protocolVersion === 5 ? { reasonCode: 0x92 } : {}) } as never);
}
