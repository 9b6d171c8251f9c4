import type { MqttClient } from 'mqtt';
import { eventually } from '@iot/testing';
import { simulate } from './device-commands-flow';

/** Runs `work` over `items` with at most `limit` under way at once. */
async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/**
 * A batch task at scale: 1,000 devices — most simulated and answering, some silent, some
 * never connected — spread over the gateway nodes; the task runs with bounded concurrency,
 * survives a restart of the command services in the middle (where one is given), and ends
 * PartialSuccess with exact counts and each target's outcome.
 */
export async function deviceBatchFlow(options: {
  registryUrl: string;
  commandUrl: string;
  mqttUrls: string[];
  operatorKey: string;
  projectId: string;
  /** Restarts the command services mid-task (cluster); absent where that would restart the gateway and drop the devices too (standalone). */
  restart?: () => Promise<void>;
}): Promise<void> {
  const { registryUrl, mqttUrls, operatorKey, projectId } = options;
  const call = async (base: string, method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const TOTAL = 1_000;
  const SILENT = 10;
  const AWAY = 30;
  const ids = Array.from({ length: TOTAL }, (_, i) => `${projectId}-${String(i).padStart(4, '0')}`);
  const silent = new Set(ids.slice(0, SILENT));
  const away = new Set(ids.slice(SILENT, SILENT + AWAY));
  const clients: MqttClient[] = [];
  try {
    await call(registryUrl, 'POST', '/projects', operatorKey, { id: projectId, name: projectId });
    const { key } = await call(registryUrl, 'POST', `/projects/${projectId}/api-keys`, operatorKey, { name: 'e2e' });
    await call(registryUrl, 'POST', `/projects/${projectId}/products`, key, {
      id: 'pump',
      name: 'Pump',
      model: { services: [{ serviceId: 'pump', commands: [{ name: 'set_speed', parameters: [{ name: 'rpm', type: 'int', min: 0, max: 3000, required: true }] }] }] },
    });
    const passwords = new Map<string, string>();
    await inPool(ids, 20, async (id) => {
      await call(registryUrl, 'POST', `/projects/${projectId}/devices`, key, { id, productId: 'pump' });
      passwords.set(id, (await call(registryUrl, 'PUT', `/projects/${projectId}/devices/${id}/credentials`, key, {})).password);
    });
    const online = ids.filter((id) => !away.has(id));
    await inPool(online, 50, async (id) => {
      const url = mqttUrls[ids.indexOf(id) % mqttUrls.length];
      clients.push((await simulate(url, id, passwords.get(id)!, { silent: silent.has(id) })).client);
    });
    await eventually(async () => expect((await call(registryUrl, 'GET', `/projects/${projectId}/devices?status=online&limit=1`, key)).total).toBe(online.length), 30_000);

    const { task_id } = await call(options.commandUrl, 'POST', `/projects/${projectId}/batch-tasks`, key, {
      task_name: 'all pumps',
      task_type: 'createCommands',
      targets: ids,
      // Generous: a restart makes the consumer groups rebalance, and answers wait that long.
      document: { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 900 }, timeout_ms: 10_000 },
    });
    const task = `/projects/${projectId}/batch-tasks/${task_id}`;
    // Under way, then the command services restart: the task resumes where it was.
    await eventually(async () => expect((await call(options.commandUrl, 'GET', task, key)).task_progress.success).toBeGreaterThanOrEqual(100), 30_000);
    await options.restart?.();
    const done = await eventually(async () => {
      const state = await call(options.commandUrl, 'GET', `${task}?target_status=FAIL&limit=500`, key);
      expect(state.status).toBe('PartialSuccess');
      return state;
    }, 90_000);
    const errors: Record<string, number> = {};
    for (const t of done.targets.items as { error: string }[]) errors[t.error] = (errors[t.error] ?? 0) + 1;
    expect({ progress: done.task_progress, errors }).toEqual({
      progress: { total: TOTAL, success: TOTAL - SILENT - AWAY, fail: SILENT + AWAY, processing: 0, waiting: 0, stopped: 0 },
      errors: { COMMAND_TIMEOUT: SILENT, DEVICE_OFFLINE: AWAY },
    });
    const failures = new Map<string, string>(done.targets.items.map((t: { target: string; error: string }) => [t.target, t.error]));
    for (const id of silent) expect(failures.get(id)).toBe('COMMAND_TIMEOUT');
    for (const id of away) expect(failures.get(id)).toBe('DEVICE_OFFLINE');
    const succeeded = await call(options.commandUrl, 'GET', `${task}?target_status=SUCCESS&limit=1`, key);
    expect(succeeded.targets.items[0].output).toEqual({ result_code: 0, response_name: 'pump_response', paras: { rpm: 900 } });
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
