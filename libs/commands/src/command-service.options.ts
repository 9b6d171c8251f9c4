import type { ApiAccessOptions } from '@iot/runtime';

/** Options of the command service module, from its process's configuration. */
export interface CommandServiceOptions extends ApiAccessOptions {
  messages: {
    /** How often expiry (TIMEOUT) and retention run (DEVICE_MESSAGE_SWEEP_MS). */
    sweepMs: number;
    /** Days finished messages stay listed (DEVICE_MESSAGE_RETENTION_DAYS). */
    retentionDays: number;
  };
  batchTasks: {
    /** Commands of one task under way at once (BATCH_TASK_CONCURRENCY). */
    concurrency: number;
    /** Tasks one instance runs at once (BATCH_TASK_PARALLEL). */
    parallelTasks: number;
  };
}

export const COMMAND_SERVICE_OPTIONS = Symbol('COMMAND_SERVICE_OPTIONS');

/** Maps the validated variables (WithDeviceMessages, WithOperatorKey) to the module's options. */
export function commandServiceOptionsFromEnv(env: {
  IOT_OPERATOR_KEY?: string;
  DEVICE_MESSAGE_SWEEP_MS: number;
  DEVICE_MESSAGE_RETENTION_DAYS: number;
  BATCH_TASK_CONCURRENCY: number;
  BATCH_TASK_PARALLEL: number;
}): CommandServiceOptions {
  return {
    operatorKey: env.IOT_OPERATOR_KEY,
    messages: { sweepMs: env.DEVICE_MESSAGE_SWEEP_MS, retentionDays: env.DEVICE_MESSAGE_RETENTION_DAYS },
    batchTasks: { concurrency: env.BATCH_TASK_CONCURRENCY, parallelTasks: env.BATCH_TASK_PARALLEL },
  };
}
