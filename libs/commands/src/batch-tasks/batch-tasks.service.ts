import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Page } from '@iot/runtime';
import { CommandError } from '../commands/command.errors';
import { BatchTargetDto, BatchTaskCreatedDto, BatchTaskDto, BatchTaskQuery, BatchTaskStatus, CreateBatchTaskDto } from './dto/batch-task.dto';

interface TaskRow {
  id: string;
  name: string;
  type: string;
  document: BatchTaskDto['document'];
  status: BatchTaskStatus;
  total: number;
  created_at: Date;
  finished_at: Date | null;
}

const iso = (at: Date | null) => (at === null ? null : new Date(at).toISOString());

/** Batch tasks (SPEC 4.11, IoTDA): recorded with their targets, run by BatchTaskRunner, queried and stopped here. */
@Injectable()
export class BatchTasksService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(projectId: string, dto: CreateBatchTaskDto): Promise<BatchTaskCreatedDto> {
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO batch_tasks (id, project_id, name, type, document, status, total) VALUES ($1, $2, $3, $4, $5::jsonb, 'Initializing', $6)`, [
        id,
        projectId,
        dto.task_name,
        dto.task_type,
        JSON.stringify(dto.document),
        dto.targets.length,
      ]);
      // One statement for all targets: unnest keeps a 10,000-target task to one round trip.
      await tx.query(`INSERT INTO batch_task_targets (task_id, seq, target, status) SELECT $1, t.seq, t.target, 'WAITING' FROM unnest($2::varchar[]) WITH ORDINALITY AS t(target, seq)`, [id, dto.targets]);
    });
    return { task_id: id };
  }

  /** @throws TASK_NOT_FOUND */
  async get(projectId: string, taskId: string, query: BatchTaskQuery): Promise<BatchTaskDto> {
    const task = await this.task(projectId, taskId);
    const counts: { status: string; n: number }[] = await this.db.query(`SELECT status, count(*)::int AS n FROM batch_task_targets WHERE task_id = $1 GROUP BY status`, [taskId]);
    const count = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
    const filter = query.target_status ? `AND status = $4` : '';
    const params: unknown[] = [taskId, query.limit, query.offset, ...(query.target_status ? [query.target_status] : [])];
    const targets: BatchTargetDto[] = await this.db.query(
      `SELECT target, status, command_id, output, error, message FROM batch_task_targets WHERE task_id = $1 ${filter} ORDER BY seq LIMIT $2 OFFSET $3`,
      params,
    );
    const matching = query.target_status ? count(query.target_status) : task.total;
    return {
      task_id: task.id,
      task_name: task.name,
      task_type: task.type,
      status: task.status,
      task_progress: { total: task.total, processing: count('PROCESSING'), success: count('SUCCESS'), fail: count('FAIL'), waiting: count('WAITING'), stopped: count('STOPPED') },
      document: task.document,
      created_at: iso(task.created_at)!,
      finished_at: iso(task.finished_at),
      targets: Page.of(targets, matching, query),
    };
  }

  /**
   * Asks a task to stop: no target starts from now on; those under way finish. A task no
   * instance runs yet stops at once. @throws TASK_NOT_FOUND, TASK_FINISHED
   */
  async stop(projectId: string, taskId: string): Promise<void> {
    const task = await this.task(projectId, taskId);
    if (task.status !== 'Initializing' && task.status !== 'Processing') throw new CommandError('TASK_FINISHED', `task ${taskId} is ${task.status}`);
    await this.db.query(`UPDATE batch_tasks SET stop_requested = true WHERE id = $1`, [taskId]);
  }

  private async task(projectId: string, taskId: string): Promise<TaskRow> {
    const [task]: TaskRow[] = await this.db.query(`SELECT id, name, type, document, status, total, created_at, finished_at FROM batch_tasks WHERE project_id = $1 AND id = $2`, [projectId, taskId]);
    if (!task) throw new CommandError('TASK_NOT_FOUND', `project ${projectId} has no batch task ${taskId}`);
    return task;
  }
}
