import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { DomainError, ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';
import { COMMAND_SERVICE_OPTIONS, CommandServiceOptions } from '../command-service.options';
import { CommandsService } from '../commands/commands.service';
import { BatchCommandDocumentDto } from './dto/batch-task.dto';
import { returnedRows as returned } from '../returned-rows';

/** How long a runner's claim on a task lasts unless renewed: another instance resumes it after. */
const LEASE_MS = 30_000;
/** How long a stopping instance lets the targets under way finish. */
const SHUTDOWN_WAIT_MS = 5_000;

interface ClaimedTask {
  id: string;
  project_id: string;
  document: BatchCommandDocumentDto;
}


/**
 * Runs batch tasks: each instance looks for a task nobody holds (new, or whose runner's lease
 * lapsed — it stopped or died) every second, claims it with a lease it renews while it runs,
 * and sends each target its command with BATCH_TASK_CONCURRENCY commands under way at most.
 * A target left PROCESSING by a runner that died is run again; a task asked to stop starts
 * no more targets and ends Stopped. The final status: Success, Fail, PartialSuccess or Stopped.
 */
@Injectable()
export class BatchTaskRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  /** Tasks this instance runs, with the promise of each run. */
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly owner: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly commands: CommandsService,
    @Inject(COMMAND_SERVICE_OPTIONS) private readonly options: CommandServiceOptions,
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.owner = runtime.nodeId;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pickUp(), 1_000);
    this.timer.unref();
  }

  /**
   * Starts no more targets, lets those under way finish (a few seconds at most), then gives
   * up its leases at once, so another instance — or this one, restarted — resumes the tasks
   * without waiting for the leases to lapse. A target still under way then is run again there.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await Promise.race([Promise.allSettled(this.running.values()), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
    await this.db.query(`UPDATE batch_tasks SET lease_until = now() WHERE lease_owner = $1 AND status = 'Processing'`, [this.owner]).catch((error: Error) => this.logger.warn({ err: error }, 'batch tasks: leases not released (they lapse)'));
  }

  /** Claims and runs one task nobody runs, if there is one. */
  async pickUp(): Promise<void> {
    if (this.stopping || this.running.size >= this.options.batchTasks.parallelTasks) return;
    let task: ClaimedTask | undefined;
    try {
      [task] = returned<ClaimedTask>(
        await this.db.query(
          `UPDATE batch_tasks SET status = 'Processing', lease_owner = $1, lease_until = now() + make_interval(secs => $2)
            WHERE id = (SELECT id FROM batch_tasks WHERE status IN ('Initializing', 'Processing') AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, project_id, document`,
          [this.owner, LEASE_MS / 1000],
        ),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'batch tasks: could not look for work (retried)');
      return;
    }
    if (!task) return;
    const claimed = task;
    const run = this.run(claimed)
      .catch((error: Error) => this.logger.error({ err: error, taskId: claimed.id }, 'batch task run failed; its lease lapses and it is resumed'))
      .finally(() => this.running.delete(claimed.id));
    this.running.set(claimed.id, run);
    await run;
  }

  private async run(task: ClaimedTask): Promise<void> {
    // Targets a previous runner left under way did not get their result recorded: run again.
    await this.db.query(`UPDATE batch_task_targets SET status = 'WAITING', updated_at = now() WHERE task_id = $1 AND status = 'PROCESSING'`, [task.id]);
    let leaseRenewedAt = Date.now();
    let stop = false;
    const worker = async () => {
      while (!stop && !this.stopping) {
        if (Date.now() - leaseRenewedAt > LEASE_MS / 3) {
          leaseRenewedAt = Date.now();
          const [state] = returned<{ stop_requested: boolean }>(
            await this.db.query(`UPDATE batch_tasks SET lease_until = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 RETURNING stop_requested`, [task.id, this.owner, LEASE_MS / 1000]),
          );
          if (!state || state.stop_requested) stop = true;
          if (stop) break;
        }
        const [target] = returned<{ seq: number; target: string }>(
          await this.db.query(
            `UPDATE batch_task_targets SET status = 'PROCESSING', updated_at = now()
              WHERE task_id = $1 AND seq = (SELECT seq FROM batch_task_targets WHERE task_id = $1 AND status = 'WAITING' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                AND NOT (SELECT stop_requested FROM batch_tasks WHERE id = $1)
              RETURNING seq, target`,
            [task.id],
          ),
        );
        if (!target) return;
        await this.runTarget(task, target);
      }
    };
    await Promise.all(Array.from({ length: this.options.batchTasks.concurrency }, () => worker()));
    if (this.stopping) return;
    await this.finish(task.id);
  }

  private async runTarget(task: ClaimedTask, target: { seq: number; target: string }): Promise<void> {
    const { service_id, command_name, paras, timeout_ms } = task.document;
    try {
      const result = await this.commands.send(task.project_id, target.target, { service_id, command_name, paras, timeout_ms });
      await this.record(task.id, target.seq, 'SUCCESS', result.command_id, result.response, null, null);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Stopping, its answer may have been lost with the consumers going away: the target
      // stays PROCESSING, and the instance that resumes the task runs it again.
      if (this.stopping && error.code === 'COMMAND_TIMEOUT') return;
      const commandId = typeof error.details?.command_id === 'string' ? error.details.command_id : null;
      await this.record(task.id, target.seq, 'FAIL', commandId, null, error.code, error.message.slice(0, 500));
    }
  }

  private async record(taskId: string, seq: number, status: 'SUCCESS' | 'FAIL', commandId: string | null, output: object | null, error: string | null, message: string | null): Promise<void> {
    await this.db.query(`UPDATE batch_task_targets SET status = $3, command_id = $4, output = $5::jsonb, error = $6, message = $7, updated_at = now() WHERE task_id = $1 AND seq = $2`, [
      taskId,
      seq,
      status,
      commandId,
      output === null ? null : JSON.stringify(output),
      error,
      message,
    ]);
  }

  /** Settles the task once no target is waiting or under way: stopped, or by its results. */
  private async finish(taskId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [task]: { stop_requested: boolean }[] = await tx.query(`SELECT stop_requested FROM batch_tasks WHERE id = $1 AND lease_owner = $2 FOR UPDATE`, [taskId, this.owner]);
      if (!task) return;
      if (task.stop_requested) await tx.query(`UPDATE batch_task_targets SET status = 'STOPPED', updated_at = now() WHERE task_id = $1 AND status = 'WAITING'`, [taskId]);
      const counts: { status: string; n: number }[] = await tx.query(`SELECT status, count(*)::int AS n FROM batch_task_targets WHERE task_id = $1 GROUP BY status`, [taskId]);
      const n = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
      if (n('WAITING') > 0 || n('PROCESSING') > 0) return;
      const status = task.stop_requested && n('STOPPED') > 0 ? 'Stopped' : n('FAIL') === 0 ? 'Success' : n('SUCCESS') === 0 ? 'Fail' : 'PartialSuccess';
      await tx.query(`UPDATE batch_tasks SET status = $2, finished_at = now(), lease_owner = NULL, lease_until = NULL WHERE id = $1`, [taskId, status]);
    });
  }
}
