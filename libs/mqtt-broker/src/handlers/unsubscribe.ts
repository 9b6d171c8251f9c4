import type { IUnsubscribePacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';

/** UNSUBSCRIBE: UNSUBACK always, with one reason code per filter in 5.0 [MQTT-3.10.4-5]. */
export function handleUnsubscribe(conn: Connection, packet: IUnsubscribePacket): void {
  const codes = packet.unsubscriptions.map((filter) =>
    conn.broker.unsubscribe(conn.session!, conn.client!, filter) ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted,
  );
  // mqtt-packet carries UNSUBACK reason codes in `granted`.
  conn.send({ cmd: 'unsuback', messageId: packet.messageId, ...(conn.protocolVersion === 5 ? { granted: codes } : {}) } as never);
}
