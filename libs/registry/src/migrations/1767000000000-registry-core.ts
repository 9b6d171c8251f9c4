import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's core tables: projects and their API keys, products (thing models),
 * devices with their credentials, and ACL rules. Every row belongs to a project, and every
 * child is removed with its project.
 */
export class RegistryCore1767000000000 implements MigrationInterface {
  name = 'RegistryCore1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id          varchar(64)  PRIMARY KEY,
        name        varchar(200) NOT NULL,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        updated_at  timestamptz  NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id   varchar(64)  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name         varchar(200) NOT NULL,
        key_prefix   varchar(16)  NOT NULL,
        secret_hash  text         NOT NULL,
        created_at   timestamptz  NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_prefix_idx ON api_keys (key_prefix) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE products (
        project_id  varchar(64)  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        id          varchar(64)  NOT NULL,
        name        varchar(200) NOT NULL,
        model       jsonb        NOT NULL DEFAULT '{"services":[]}',
        created_at  timestamptz  NOT NULL DEFAULT now(),
        updated_at  timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id)
      )`);
    await q.query(`
      CREATE TABLE devices (
        project_id  varchar(64)  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        id          varchar(128) NOT NULL,
        name        varchar(200) NOT NULL,
        product_id  varchar(64),
        username    varchar(128) NOT NULL,
        tags        text[]       NOT NULL DEFAULT '{}',
        enabled     boolean      NOT NULL DEFAULT true,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        updated_at  timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id),
        FOREIGN KEY (project_id, product_id) REFERENCES products(project_id, id) ON DELETE RESTRICT
      )`);
    // MQTT usernames are unique across the platform: CONNECT carries no project.
    await q.query(`CREATE UNIQUE INDEX devices_username_uq ON devices (username)`);
    await q.query(`CREATE INDEX devices_product_idx ON devices (project_id, product_id)`);
    await q.query(`CREATE INDEX devices_tags_idx ON devices USING gin (tags)`);
    await q.query(`
      CREATE TABLE device_credentials (
        project_id    varchar(64)  NOT NULL,
        device_id     varchar(128) NOT NULL,
        password_hash text         NOT NULL,
        not_before    timestamptz,
        not_after     timestamptz,
        rotated_at    timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, device_id),
        FOREIGN KEY (project_id, device_id) REFERENCES devices(project_id, id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE acl_rules (
        id          uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id  varchar(64)   NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        who_type    varchar(16)   NOT NULL CHECK (who_type IN ('device', 'username', 'clientid', 'all')),
        who_value   varchar(256),
        action      varchar(16)   NOT NULL CHECK (action IN ('publish', 'subscribe', 'all')),
        topic       varchar(1024) NOT NULL,
        permission  varchar(8)    NOT NULL CHECK (permission IN ('allow', 'deny')),
        priority    integer       NOT NULL DEFAULT 100,
        created_at  timestamptz   NOT NULL DEFAULT now(),
        updated_at  timestamptz   NOT NULL DEFAULT now(),
        CHECK ((who_type = 'all') = (who_value IS NULL))
      )`);
    await q.query(`CREATE INDEX acl_rules_order_idx ON acl_rules (project_id, priority, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['acl_rules', 'device_credentials', 'devices', 'products', 'api_keys', 'projects']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
