import type { IPubrelPacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';

/** PUBREL: the client releases a QoS 2 packet id; answer PUBCOMP [MQTT-4.3.3-11]. */
export function handlePubrel(conn: Connection, packet: IPubrelPacket): void {
  const known = conn.session!.inboundQos2.delete(packet.messageId!);
  conn.send({
    cmd: 'pubcomp',
    messageId: packet.messageId,
    ...(!known && conn.protocolVersion === 5 ? { reasonCode: ReasonCode.PacketIdentifierNotFound } : {}),
  } as never);
}
