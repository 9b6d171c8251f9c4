import mqtt, { MqttClient } from 'mqtt';
import { eventually } from '@iot/testing';

/** A simulated device: its MQTT client and the properties it holds, by service. */
export interface SimulatedDevice {
  client: MqttClient;
  properties: Record<string, Record<string, unknown>>;
}

/**
 * A device simulator on MQTT.js speaking the IoTDA topics: it answers commands (echoing the
 * parameters), property writes (keeping the values, and reporting them as a real device
 * does) and property reads — or, `silent`, never answers.
 */
export async function simulate(url: string, deviceId: string, password: string, options: { silent?: boolean } = {}): Promise<SimulatedDevice> {
  const client = await mqtt.connectAsync(url, { username: deviceId, password, clientId: `${deviceId}-sim`, protocolVersion: 5, reconnectPeriod: 0 });
  const properties: Record<string, Record<string, unknown>> = {};
  const base = `$oc/devices/${deviceId}/sys`;
  client.on('message', (topic, payload) => {
    // Its own answers come back too (they match its subscription): never answer those.
    if (options.silent || topic.includes('/response/')) return;
    const request = JSON.parse(payload.toString()) as { service_id?: string; paras?: Record<string, unknown>; services?: { service_id: string; properties: Record<string, unknown> }[] };
    const id = topic.slice(topic.lastIndexOf('request_id=') + 'request_id='.length);
    const answer = (path: string, body: unknown) => void client.publish(`${base}/${path}/response/request_id=${id}`, JSON.stringify(body), { qos: 1 });
    if (topic.startsWith(`${base}/commands/`)) answer('commands', { result_code: 0, response_name: `${request.service_id}_response`, paras: request.paras });
    else if (topic.startsWith(`${base}/properties/set/`)) {
      for (const s of request.services ?? []) properties[s.service_id] = { ...properties[s.service_id], ...s.properties };
      answer('properties/set', { result_code: 0, result_desc: 'applied' });
      void client.publish(`${base}/properties/report`, JSON.stringify({ services: request.services }), { qos: 1 });
    } else if (topic.startsWith(`${base}/properties/get/`)) {
      const services = Object.entries(properties).filter(([service]) => request.service_id === undefined || service === request.service_id);
      answer('properties/get', { services: services.map(([service_id, props]) => ({ service_id, properties: props })) });
    }
  });
  await client.subscribeAsync(`${base}/#`, { qos: 1 });
  return { client, properties };
}

/**
 * Synchronous commands and property set/get end to end: REST → command service → gateway
 * (whichever node) → simulated device → answer → back to the waiting HTTP request, also when
 * another command-service instance read the answer; the thing model checks what is sent;
 * offline devices, silent ones (timeout) and unknown ones get clear errors with the command id.
 * Shared by the cluster and standalone suites.
 */
export async function deviceCommandsFlow(options: { registryUrl: string; commandUrls: string[]; mqttUrls: string[]; operatorKey: string; projectId: string }): Promise<void> {
  const { registryUrl, commandUrls, mqttUrls, operatorKey, projectId } = options;
  const call = async (base: string, method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await call(registryUrl, method, path, key, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const clients: MqttClient[] = [];
  try {
    await ok('POST', '/projects', operatorKey, { id: projectId, name: projectId });
    const { key } = await ok('POST', `/projects/${projectId}/api-keys`, operatorKey, { name: 'e2e' });
    await ok('POST', `/projects/${projectId}/products`, key, {
      id: 'pump',
      name: 'Pump',
      model: {
        services: [
          {
            serviceId: 'pump',
            properties: [
              { name: 'speed', type: 'int', access: 'RW', min: 0, max: 3000 },
              { name: 'status', type: 'string', access: 'R' },
            ],
            commands: [{ name: 'set_speed', parameters: [{ name: 'rpm', type: 'int', min: 0, max: 3000, required: true }] }],
          },
        ],
      },
    });
    const passwords: Record<string, string> = {};
    for (const [id, productId] of [['sim', 'pump'], ['silent', 'pump'], ['free', undefined], ['away', 'pump']] as const) {
      await ok('POST', `/projects/${projectId}/devices`, key, { id: `${projectId}-${id}`, ...(productId ? { productId } : {}) });
      passwords[id] = (await ok('PUT', `/projects/${projectId}/devices/${projectId}-${id}/credentials`, key, {})).password;
    }
    const device = (id: string) => `${projectId}-${id}`;
    // The devices sit on the last gateway node; the command services publish from wherever.
    const at = mqttUrls[mqttUrls.length - 1];
    const sim = await simulate(at, device('sim'), passwords.sim);
    clients.push(sim.client, (await simulate(mqttUrls[0], device('free'), passwords.free)).client, (await simulate(at, device('silent'), passwords.silent, { silent: true })).client);
    for (const id of ['sim', 'free', 'silent']) {
      await eventually(async () => expect((await ok('GET', `/projects/${projectId}/devices/${device(id)}/status`, key)).online).toBe(true));
    }
    const commands = (id: string) => `/projects/${projectId}/devices/${device(id)}/commands`;

    // A command-service instance that just joined makes the others rebalance their consumer
    // groups: answers wait until that settles. Once a command went through each instance…
    for (const base of commandUrls) {
      await eventually(async () => expect((await call(base, 'POST', commands('sim'), key, { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 1 }, timeout_ms: 2_000 })).status).toBe(200), 60_000);
    }
    // … round trips through every instance: with several, the answer is often read by an
    // instance other than the one holding the HTTP request.
    for (let i = 0; i < 3 * commandUrls.length; i++) {
      const res = await call(commandUrls[i % commandUrls.length], 'POST', commands('sim'), key, { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 100 + i } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ command_id: expect.stringMatching(/^[0-9a-f-]{36}$/), response: { result_code: 0, response_name: 'pump_response', paras: { rpm: 100 + i } } });
    }
    // A device without a product takes any command.
    const free = await call(commandUrls[0], 'POST', commands('free'), key, { service_id: 'anything', command_name: 'reboot' });
    expect(free.status).toBe(200);
    expect(free.body.response).toMatchObject({ result_code: 0, response_name: 'anything_response', paras: {} });

    // The thing model decides what may be sent: each offending field named.
    const refused = async (body: unknown, field: string) => {
      const res = await call(commandUrls[0], 'POST', commands('sim'), key, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.fields)).toContain(field);
    };
    await refused({ service_id: 'valve', command_name: 'set_speed', paras: { rpm: 1 } }, 'service_id');
    await refused({ service_id: 'pump', command_name: 'explode' }, 'command_name');
    await refused({ service_id: 'pump', command_name: 'set_speed', paras: { rpm: 5000 } }, 'paras.rpm');
    await refused({ service_id: 'pump', command_name: 'set_speed', paras: {} }, 'paras.rpm');
    await refused({ service_id: 'pump', command_name: 'set_speed', paras: { rpm: 1, turbo: true } }, 'paras.turbo');
    await refused({ service_id: 'pump', command_name: 'set_speed', paras: { rpm: 1 }, timeout_ms: 10 }, 'timeout_ms');
    await refused({ command_name: 'set_speed' }, 'service_id');

    // No such device; a device that is not connected; one that never answers.
    const unknown = await call(commandUrls[0], 'POST', `/projects/${projectId}/devices/nobody/commands`, key, { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 1 } });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'DEVICE_NOT_FOUND']);
    const away = await call(commandUrls[0], 'POST', commands('away'), key, { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 1 } });
    expect(away.status).toBe(409);
    expect(away.body).toMatchObject({ error: 'DEVICE_OFFLINE', command_id: expect.any(String) });
    const started = Date.now();
    const silent = await call(commandUrls[commandUrls.length - 1], 'POST', commands('silent'), key, { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 1 }, timeout_ms: 1_500 });
    expect(silent.status).toBe(504);
    expect(silent.body).toMatchObject({ error: 'COMMAND_TIMEOUT', command_id: expect.any(String) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);

    // Properties: written (writable ones only, values checked) and read back, each waiting for the device.
    const properties = `/projects/${projectId}/devices/${device('sim')}/properties`;
    const set = await call(commandUrls[commandUrls.length - 1], 'PUT', properties, key, { services: [{ service_id: 'pump', properties: { speed: 1200 } }] });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ command_id: expect.any(String), response: { result_code: 0, result_desc: 'applied' } });
    const readOnly = await call(commandUrls[0], 'PUT', properties, key, { services: [{ service_id: 'pump', properties: { status: 'on' } }] });
    expect([readOnly.status, JSON.stringify(readOnly.body.fields)]).toEqual([400, expect.stringContaining('services[0].properties.status')]);
    const tooFast = await call(commandUrls[0], 'PUT', properties, key, { services: [{ service_id: 'pump', properties: { speed: 9000 } }] });
    expect([tooFast.status, JSON.stringify(tooFast.body.fields)]).toEqual([400, expect.stringContaining('services[0].properties.speed')]);
    for (const base of commandUrls) {
      const read = await call(base, 'GET', `${properties}?service_id=pump`, key);
      expect(read.status).toBe(200);
      expect(read.body.response).toEqual({ services: [{ service_id: 'pump', properties: { speed: 1200 } }] });
    }
    const badService = await call(commandUrls[0], 'GET', `${properties}?service_id=valve`, key);
    expect(badService.status).toBe(400);
    const silentRead = await call(commandUrls[0], 'GET', `/projects/${projectId}/devices/${device('silent')}/properties?timeout_ms=1000`, key);
    expect([silentRead.status, silentRead.body.error]).toEqual([504, 'COMMAND_TIMEOUT']);

    // A batch task sends each target the command, some concurrently, and counts the outcomes.
    const batch = await call(commandUrls[0], 'POST', `/projects/${projectId}/batch-tasks`, key, {
      task_name: 'speeds',
      task_type: 'createCommands',
      targets: [device('sim'), device('free'), device('silent'), device('away'), device('nobody')],
      document: { service_id: 'pump', command_name: 'set_speed', paras: { rpm: 42 }, timeout_ms: 1_000 },
    });
    expect(batch.status).toBe(201);
    const task = `/projects/${projectId}/batch-tasks/${batch.body.task_id}`;
    const done = await eventually(async () => {
      const state = (await call(commandUrls[commandUrls.length - 1], 'GET', task, key)).body;
      expect(state.status).toBe('PartialSuccess');
      return state;
    }, 20_000);
    expect(done.task_progress).toEqual({ total: 5, success: 2, fail: 3, processing: 0, waiting: 0, stopped: 0 });
    expect(done.targets.items.map((t: { target: string; status: string; error: string | null }) => [t.target, t.status, t.error])).toEqual([
      [device('sim'), 'SUCCESS', null],
      [device('free'), 'SUCCESS', null],
      [device('silent'), 'FAIL', 'COMMAND_TIMEOUT'],
      [device('away'), 'FAIL', 'DEVICE_OFFLINE'],
      [device('nobody'), 'FAIL', 'DEVICE_NOT_FOUND'],
    ]);
    expect(done.targets.items[0].output).toEqual({ result_code: 0, response_name: 'pump_response', paras: { rpm: 42 } });
    const failed = (await call(commandUrls[0], 'GET', `${task}?target_status=FAIL&limit=2`, key)).body.targets;
    expect([failed.total, failed.items.length]).toEqual([3, 2]);
    expect((await call(commandUrls[0], 'POST', `${task}/stop`, key)).status).toBe(409);
    const badTask = await call(commandUrls[0], 'POST', `/projects/${projectId}/batch-tasks`, key, { task_name: '', task_type: 'reboot', targets: ['a', 'a'], document: { command_name: 'x' } });
    expect(badTask.status).toBe(400);
    for (const field of ['task_name', 'task_type', 'targets', 'service_id']) expect(JSON.stringify(badTask.body)).toContain(field);
    expect((await call(commandUrls[0], 'GET', `/projects/${projectId}/batch-tasks/00000000-0000-0000-0000-000000000000`, key)).status).toBe(404);
    // The largest task is 10,000 targets (its body ~300 KB is read, then refused by field); a
    // body past 2 MiB, or one that is no JSON, is refused as such — never a 500.
    const tooMany = await call(commandUrls[0], 'POST', `/projects/${projectId}/batch-tasks`, key, { task_name: 'big', task_type: 'createCommands', targets: Array.from({ length: 10_001 }, (_, i) => `${projectId}-device-${i}`), document: { service_id: 'pump', command_name: 'set_speed' } });
    expect([tooMany.status, JSON.stringify(tooMany.body)]).toEqual([400, expect.stringContaining('targets')]);
    const huge = await call(commandUrls[0], 'POST', `/projects/${projectId}/batch-tasks`, key, { task_name: 'x'.repeat(3 * 1024 * 1024) });
    expect([huge.status, huge.body.error]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const notJson = await fetch(`${commandUrls[0]}/api/v1/projects/${projectId}/batch-tasks`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"task_name":' });
    expect(notJson.status).toBe(400);
    // Stopped: no target starts after the stop; the task ends Stopped with the rest not run.
    const many = Array.from({ length: 200 }, (_, i) => `${projectId}-ghost-${i}`);
    const stoppable = await call(commandUrls[0], 'POST', `/projects/${projectId}/batch-tasks`, key, { task_name: 'stopped', task_type: 'createCommands', targets: many, document: { service_id: 'pump', command_name: 'set_speed' } });
    const stopPath = `/projects/${projectId}/batch-tasks/${stoppable.body.task_id}`;
    expect((await call(commandUrls[0], 'POST', `${stopPath}/stop`, key)).status).toBe(204);
    const stopped = await eventually(async () => {
      const state = (await call(commandUrls[0], 'GET', stopPath, key)).body;
      expect(state.status).toBe('Stopped');
      return state;
    }, 20_000);
    expect(stopped.task_progress.stopped).toBeGreaterThan(0);
    expect(stopped.task_progress.stopped + stopped.task_progress.fail).toBe(200);

    // Shadow: what a device reports is kept (the write above made sim report speed 1200) …
    const shadowOf = async (id: string) => (await call(commandUrls[0], 'GET', `/projects/${projectId}/devices/${device(id)}/shadow`, key)).body;
    await sim.client.publishAsync(`$oc/devices/${device('sim')}/sys/properties/report`, JSON.stringify({ services: [{ service_id: 'pump', properties: { status: 'running' }, event_time: '2026-12-01T10:00:00Z' }] }), { qos: 1 });
    await eventually(async () =>
      expect(await shadowOf('sim')).toEqual({
        device_id: device('sim'),
        shadow: [{ service_id: 'pump', reported: { properties: { speed: 1200, status: 'running' }, event_time: '2026-12-01T10:00:00.000Z' }, desired: { properties: {}, event_time: null }, version: expect.any(Number) }],
      }),
    );
    // … and desired values set while a device is offline reach it when it connects — on another node.
    const desire = (body: unknown) => call(commandUrls[commandUrls.length - 1], 'PUT', `/projects/${projectId}/devices/${device('away')}/shadow`, key, body);
    const desired = await desire({ shadow: [{ service_id: 'pump', desired: { properties: { speed: 700 } } }] });
    expect(desired.status).toBe(200);
    expect(desired.body.shadow[0].desired.properties).toEqual({ speed: 700 });
    const refusedDesire = await desire({ shadow: [{ service_id: 'pump', desired: { properties: { status: 'off' } } }] });
    expect([refusedDesire.status, JSON.stringify(refusedDesire.body.fields)]).toEqual([400, expect.stringContaining('shadow[0].desired.properties.status')]);
    const returned = await simulate(mqttUrls[0], device('away'), passwords.away);
    clients.push(returned.client);
    await eventually(() => expect(returned.properties.pump).toEqual({ speed: 700 }), 30_000);
    // It reported what it applied: desired and reported agree, nothing more is pushed.
    await eventually(async () => expect((await shadowOf('away')).shadow[0]).toMatchObject({ reported: { properties: { speed: 700 } }, desired: { properties: { speed: 700 } } }));
    expect((await call(commandUrls[0], 'GET', `/projects/${projectId}/devices/nobody/shadow`, key)).status).toBe(404);
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
