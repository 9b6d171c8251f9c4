import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Batch tasks (SPEC 4.11) and their targets. A task is run by the instance holding its lease
 * (`lease_owner` until `lease_until`, renewed while it runs): another instance takes it over
 * when the lease lapses, so tasks survive restarts and resume where they were.
 */
export class BatchTasks1767700000000 implements MigrationInterface {
  name = 'BatchTasks1767700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE batch_tasks (
        id              varchar(64)  PRIMARY KEY,
        project_id      varchar(64)  NOT NULL,
        name            varchar(128) NOT NULL,
        type            varchar(32)  NOT NULL,
        document        jsonb        NOT NULL,
        status          varchar(16)  NOT NULL CHECK (status IN ('Initializing', 'Processing', 'Success', 'PartialSuccess', 'Fail', 'Stopped')),
        total           integer      NOT NULL,
        stop_requested  boolean      NOT NULL DEFAULT false,
        lease_owner     varchar(200),
        lease_until     timestamptz,
        created_at      timestamptz  NOT NULL DEFAULT now(),
        finished_at     timestamptz
      )`);
    await q.query(`CREATE INDEX batch_tasks_by_project ON batch_tasks (project_id, created_at DESC)`);
    await q.query(`CREATE INDEX batch_tasks_unfinished ON batch_tasks (created_at) WHERE status IN ('Initializing', 'Processing')`);
    await q.query(`
      CREATE TABLE batch_task_targets (
        task_id     varchar(64)  NOT NULL REFERENCES batch_tasks(id) ON DELETE CASCADE,
        seq         integer      NOT NULL,
        target      varchar(128) NOT NULL,
        status      varchar(16)  NOT NULL CHECK (status IN ('WAITING', 'PROCESSING', 'SUCCESS', 'FAIL', 'STOPPED')),
        command_id  varchar(64),
        output      jsonb,
        error       varchar(64),
        message     varchar(500),
        updated_at  timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (task_id, seq),
        UNIQUE (task_id, target)
      )`);
    await q.query(`CREATE INDEX batch_task_targets_waiting ON batch_task_targets (task_id, seq) WHERE status = 'WAITING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE batch_task_targets`);
    await q.query(`DROP TABLE batch_tasks`);
  }
}
