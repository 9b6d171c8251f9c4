import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Requests sent to devices and waited on (commands, property writes and reads). No foreign
 * key to the registry's devices: the command service's migrations run on their own
 * (`main.js migrate`), and a device's requests are history that outlives it.
 */
export class DeviceRequests1767400000000 implements MigrationInterface {
  name = 'DeviceRequests1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_requests (
        id            varchar(64)  PRIMARY KEY,
        project_id    varchar(64)  NOT NULL,
        device_id     varchar(128) NOT NULL,
        kind          varchar(16)  NOT NULL CHECK (kind IN ('command', 'properties-set', 'properties-get')),
        request       jsonb        NOT NULL,
        status        varchar(16)  NOT NULL CHECK (status IN ('SENT', 'SUCCESSFUL', 'FAILED', 'TIMEOUT')),
        error         varchar(64),
        response      jsonb,
        created_at    timestamptz  NOT NULL,
        completed_at  timestamptz
      )`);
    await q.query(`CREATE INDEX device_requests_by_device ON device_requests (project_id, device_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_requests`);
  }
}
