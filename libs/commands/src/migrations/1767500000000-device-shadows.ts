import { MigrationInterface, QueryRunner } from 'typeorm';

/** Device shadows: per device and service, the last reported properties and the desired ones. */
export class DeviceShadows1767500000000 implements MigrationInterface {
  name = 'DeviceShadows1767500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_shadows (
        project_id   varchar(64)  NOT NULL,
        device_id    varchar(128) NOT NULL,
        service_id   varchar(64)  NOT NULL,
        reported     jsonb        NOT NULL DEFAULT '{}',
        reported_at  timestamptz,
        desired      jsonb        NOT NULL DEFAULT '{}',
        desired_at   timestamptz,
        version      bigint       NOT NULL DEFAULT 0,
        PRIMARY KEY (project_id, device_id, service_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_shadows`);
  }
}
