import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The subscriptions of registry devices' sessions, as the gateways report them (subscribed /
 * unsubscribed client events; a clean start empties them) and as proxy subscriptions make them.
 */
export class DeviceSubscriptions1767300000000 implements MigrationInterface {
  name = 'DeviceSubscriptions1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_subscriptions (
        project_id  varchar(64)   NOT NULL,
        device_id   varchar(128)  NOT NULL,
        topic       varchar(1024) NOT NULL,
        qos         smallint      NOT NULL CHECK (qos BETWEEN 0 AND 2),
        created_at  timestamptz   NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, device_id, topic),
        FOREIGN KEY (project_id, device_id) REFERENCES devices(project_id, id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_subscriptions`);
  }
}
