import type { Connection } from '../connection';

/** PINGREQ → PINGRESP [MQTT-3.12.4-1]; the activity itself already reset the keepalive. */
export function handlePingreq(conn: Connection): void {
  conn.send({ cmd: 'pingresp' });
}
