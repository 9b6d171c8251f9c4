import { MigrationInterface, QueryRunner } from 'typeorm';

/** A project's ACL default: what applies when no rule matches (deny unless configured). */
export class ProjectAclDefault1767100000000 implements MigrationInterface {
  name = 'ProjectAclDefault1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects ADD COLUMN acl_default varchar(8) NOT NULL DEFAULT 'deny' CHECK (acl_default IN ('allow', 'deny'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects DROP COLUMN acl_default`);
  }
}
