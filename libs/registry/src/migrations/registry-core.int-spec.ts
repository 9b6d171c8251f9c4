import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@iot/database';
import { testInfra } from '@iot/testing';
import { registryMigrations } from '../device-registry.module';

const TABLES = ['acl_rules', 'api_keys', 'device_connection_history', 'device_credentials', 'device_presence', 'device_subscriptions', 'devices', 'products', 'projects'];

/** The same migrations must build the same schema on PostgreSQL and on the embedded PGlite. */
describe('registry migrations', () => {
  const scratch = `iot_migrations_${randomUUID().slice(0, 8)}`;
  const adminUrl = testInfra.databaseUrl;
  const scratchUrl = adminUrl.replace(/\/[^/]+$/, `/${scratch}`);

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${scratch}`);
    await admin.end();
  });

  afterAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
  });

  describe.each([
    ['PostgreSQL', () => scratchUrl],
    ['PGlite', () => 'pglite://memory'],
  ])('on %s', (_name, url) => {
    let db: DataSource;

    beforeAll(async () => {
      db = await new DataSource(dataSourceOptions(url(), [], registryMigrations)).initialize();
    });
    afterAll(async () => {
      await db?.destroy();
    });

    const tables = async () =>
      (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`)).map(
        (row: { table_name: string }) => row.table_name,
      );

    it('should create every table, revert cleanly, and apply again', async () => {
      const ran = await db.runMigrations({ transaction: 'each' });
      expect(ran.map((m) => m.name)).toEqual(['RegistryCore1767000000000', 'ProjectAclDefault1767100000000', 'DevicePresence1767200000000', 'DeviceSubscriptions1767300000000']);
      expect(await tables()).toEqual(TABLES);
      expect(await db.runMigrations()).toEqual([]); // idempotent

      const projectColumns = async () =>
        (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'projects' ORDER BY 1`)).map((row: { column_name: string }) => row.column_name);
      expect(await projectColumns()).toContain('acl_default');
      await db.undoLastMigration();
      expect(await tables()).not.toContain('device_subscriptions');
      await db.undoLastMigration();
      expect(await tables()).not.toContain('device_presence');
      await db.undoLastMigration();
      expect(await projectColumns()).not.toContain('acl_default');
      await db.undoLastMigration();
      expect(await tables()).toEqual([]);
      await db.runMigrations();
      expect(await tables()).toEqual(TABLES);
    });

    it('should enforce platform-wide unique MQTT usernames and cascade project deletion', async () => {
      await db.query(`INSERT INTO projects (id, name) VALUES ('a', 'A'), ('b', 'B')`);
      await db.query(`INSERT INTO devices (project_id, id, name, username) VALUES ('a', 'd1', 'd1', 'shared-name')`);
      await expect(db.query(`INSERT INTO devices (project_id, id, name, username) VALUES ('b', 'd1', 'd1', 'shared-name')`)).rejects.toThrow(/unique|duplicate/i);
      await db.query(`INSERT INTO device_credentials (project_id, device_id, password_hash) VALUES ('a', 'd1', 'hash')`);
      await db.query(`DELETE FROM projects WHERE id = 'a'`);
      expect(await db.query(`SELECT count(*)::int AS n FROM device_credentials`)).toEqual([{ n: 0 }]);
    });

    it('should default a project’s ACL to deny and accept only allow or deny', async () => {
      await db.query(`INSERT INTO projects (id, name) VALUES ('acl', 'ACL')`);
      expect(await db.query(`SELECT acl_default FROM projects WHERE id = 'acl'`)).toEqual([{ acl_default: 'deny' }]);
      await expect(db.query(`UPDATE projects SET acl_default = 'maybe' WHERE id = 'acl'`)).rejects.toThrow(/check/i);
    });

    it('should refuse an ACL rule that names a subject for "all"', async () => {
      await expect(
        db.query(`INSERT INTO acl_rules (project_id, who_type, who_value, action, topic, permission) VALUES ('b', 'all', 'x', 'publish', '#', 'allow')`),
      ).rejects.toThrow(/check/i);
    });
  });
});
