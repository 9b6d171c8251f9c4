import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device messages (SPEC 4.10): cached here while their device is offline or not subscribed,
 * so they survive restarts; `sent_connection` is the device connection a message was last
 * sent on, so one connection never gets it twice.
 */
export class DeviceMessages1767600000000 implements MigrationInterface {
  name = 'DeviceMessages1767600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_messages (
        project_id       varchar(64)  NOT NULL,
        device_id        varchar(128) NOT NULL,
        id               varchar(64)  NOT NULL,
        name             varchar(128),
        content          jsonb        NOT NULL,
        topic            varchar(1024) NOT NULL,
        status           varchar(16)  NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'TIMEOUT', 'FAILED')),
        reason           varchar(500),
        created_at       timestamptz  NOT NULL,
        expires_at       timestamptz  NOT NULL,
        sent_at          timestamptz,
        sent_connection  varchar(300),
        finished_at      timestamptz,
        PRIMARY KEY (project_id, device_id, id)
      )`);
    await q.query(`CREATE INDEX device_messages_latest ON device_messages (project_id, device_id, created_at DESC)`);
    await q.query(`CREATE INDEX device_messages_pending ON device_messages (expires_at) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_messages`);
  }
}
