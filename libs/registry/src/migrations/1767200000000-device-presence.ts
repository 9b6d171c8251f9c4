import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Presence and connection history of registry devices, written from the gateways' client
 * events. A device's presence row names its current connection: a late `disconnected` of an
 * older connection never marks a newer one offline. History rows are unique per connection
 * and event, so an event consumed twice is recorded once.
 */
export class DevicePresence1767200000000 implements MigrationInterface {
  name = 'DevicePresence1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_presence (
        project_id        varchar(64)  NOT NULL,
        device_id         varchar(128) NOT NULL,
        online            boolean      NOT NULL,
        connection_id     varchar(300) NOT NULL,
        client_id         varchar(256) NOT NULL,
        node              varchar(128) NOT NULL,
        peer_address      varchar(128),
        protocol_version  smallint,
        connected_at      timestamptz  NOT NULL,
        disconnected_at   timestamptz,
        disconnect_reason varchar(500),
        PRIMARY KEY (project_id, device_id),
        FOREIGN KEY (project_id, device_id) REFERENCES devices(project_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX device_presence_online_idx ON device_presence (project_id, online)`);
    await q.query(`
      CREATE TABLE device_connection_history (
        id                bigserial    PRIMARY KEY,
        project_id        varchar(64)  NOT NULL,
        device_id         varchar(128) NOT NULL,
        event             varchar(16)  NOT NULL CHECK (event IN ('connected', 'disconnected')),
        connection_id     varchar(300) NOT NULL,
        client_id         varchar(256) NOT NULL,
        node              varchar(128) NOT NULL,
        peer_address      varchar(128),
        protocol_version  smallint,
        reason            varchar(500),
        occurred_at       timestamptz  NOT NULL,
        UNIQUE (connection_id, event),
        FOREIGN KEY (project_id, device_id) REFERENCES devices(project_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX device_connection_history_device_idx ON device_connection_history (project_id, device_id, occurred_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_connection_history`);
    await q.query(`DROP TABLE device_presence`);
  }
}
