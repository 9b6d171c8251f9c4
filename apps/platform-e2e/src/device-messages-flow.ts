import mqtt, { MqttClient } from 'mqtt';
import { eventually } from '@iot/testing';

/** A device that subscribes to its message topics after connecting and keeps what it receives. */
async function receiver(url: string, deviceId: string, password: string): Promise<{ client: MqttClient; received: { topic: string; body: Record<string, unknown> }[] }> {
  const client = await mqtt.connectAsync(url, { username: deviceId, password, clientId: `${deviceId}-rx`, protocolVersion: 5, reconnectPeriod: 0 });
  const received: { topic: string; body: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
  await client.subscribeAsync({ [`$oc/devices/${deviceId}/sys/messages/down`]: { qos: 1 }, [`$oc/devices/${deviceId}/user/#`]: { qos: 1 } });
  return { client, received };
}

/**
 * Device messages end to end: delivered at once to an online device (acknowledged →
 * DELIVERED), cached for an offline one and delivered — once — when it connects on another
 * node and subscribes, also across a restart of the command service(s); TIMEOUT when the TTL
 * passes first; listed newest first. Shared by the cluster and standalone suites.
 */
export async function deviceMessagesFlow(options: {
  registryUrl: string;
  commandUrl: string;
  mqttUrls: string[];
  operatorKey: string;
  projectId: string;
  /** Restarts every command-service process (cluster) or the platform (standalone); resolves once it is ready again. */
  restart: () => Promise<void>;
}): Promise<void> {
  const { registryUrl, commandUrl, mqttUrls, operatorKey, projectId } = options;
  const call = async (base: string, method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (base: string, method: string, path: string, key: string, body?: unknown) => {
    const res = await call(base, method, path, key, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const clients: MqttClient[] = [];
  try {
    await ok(registryUrl, 'POST', '/projects', operatorKey, { id: projectId, name: projectId });
    const { key } = await ok(registryUrl, 'POST', `/projects/${projectId}/api-keys`, operatorKey, { name: 'e2e' });
    const passwords: Record<string, string> = {};
    const device = (id: string) => `${projectId}-${id}`;
    for (const id of ['on', 'off', 'late']) {
      await ok(registryUrl, 'POST', `/projects/${projectId}/devices`, key, { id: device(id) });
      passwords[id] = (await ok(registryUrl, 'PUT', `/projects/${projectId}/devices/${device(id)}/credentials`, key, {})).password;
    }
    const messages = (id: string) => `/projects/${projectId}/devices/${device(id)}/messages`;
    const statusOf = async (id: string, messageId: string) => (await ok(commandUrl, 'GET', `${messages(id)}/${messageId}`, key)).status;

    // Online and subscribed: sent at once, DELIVERED once the device acknowledged it.
    const on = await receiver(mqttUrls[0], device('on'), passwords.on);
    clients.push(on.client);
    await eventually(async () => expect((await ok(registryUrl, 'GET', `/projects/${projectId}/devices/${device('on')}/subscriptions`, key)).items).toHaveLength(2));
    const first = await call(commandUrl, 'POST', messages('on'), key, { message_id: 'hello-1', name: 'greeting', message: { text: 'hello' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ message_id: 'hello-1', status: expect.stringMatching(/^(PENDING|DELIVERED)$/), topic: `$oc/devices/${device('on')}/sys/messages/down` });
    await eventually(() => expect(on.received).toEqual([{ topic: `$oc/devices/${device('on')}/sys/messages/down`, body: { object_device_id: device('on'), name: 'greeting', id: 'hello-1', content: { text: 'hello' } } }]));
    await eventually(async () => expect(await statusOf('on', 'hello-1')).toBe('DELIVERED'));
    const user = await ok(commandUrl, 'POST', messages('on'), key, { message: 'to a topic of its own', topic: 'notices/today' });
    await eventually(() => expect(on.received.map((m) => m.topic)).toContain(`$oc/devices/${device('on')}/user/notices/today`));
    expect(user.message_id).toMatch(/^[0-9a-f-]{36}$/);

    // Bad input is named; a repeated id is a conflict; unknown devices and messages are 404.
    const bad = await call(commandUrl, 'POST', messages('on'), key, { message_id: 'has space', topic: 'a/#', ttl_seconds: 0 });
    expect(bad.status).toBe(400);
    for (const field of ['message_id', 'message', 'topic', 'ttl_seconds']) expect(JSON.stringify(bad.body)).toContain(field);
    expect((await call(commandUrl, 'POST', messages('on'), key, { message_id: 'hello-1', message: 'again' })).status).toBe(409);
    expect((await call(commandUrl, 'POST', `/projects/${projectId}/devices/nobody/messages`, key, { message: 'x' })).status).toBe(404);
    expect((await call(commandUrl, 'GET', `${messages('on')}/nothing-here`, key)).status).toBe(404);

    // Offline: cached (PENDING), kept across a restart, delivered once when the device connects — on the other node.
    for (const n of [1, 2]) expect((await ok(commandUrl, 'POST', messages('off'), key, { message_id: `queued-${n}`, message: { n } })).status).toBe('PENDING');
    const late = await ok(commandUrl, 'POST', messages('late'), key, { message_id: 'short-lived', message: 'too late', ttl_seconds: 1 });
    expect(late.status).toBe('PENDING');
    await options.restart();
    const off = await receiver(mqttUrls[mqttUrls.length - 1], device('off'), passwords.off);
    clients.push(off.client);
    await eventually(() => expect(off.received.map((m) => m.body.id).sort()).toEqual(['queued-1', 'queued-2']), 20_000);
    for (const n of [1, 2]) await eventually(async () => expect(await statusOf('off', `queued-${n}`)).toBe('DELIVERED'));

    // TTL passed before the device came: TIMEOUT, and it never gets it.
    await eventually(async () => expect(await statusOf('late', 'short-lived')).toBe('TIMEOUT'), 15_000);
    const lateDevice = await receiver(mqttUrls[0], device('late'), passwords.late);
    clients.push(lateDevice.client);

    // Listed newest first (20 by default; `limit` fewer).
    const listed = await ok(commandUrl, 'GET', messages('on'), key);
    expect(listed.items.map((m: { message_id: string }) => m.message_id)).toEqual([user.message_id, 'hello-1']);
    expect((await ok(commandUrl, 'GET', `${messages('on')}?limit=1`, key)).items).toHaveLength(1);
    expect((await call(commandUrl, 'GET', `${messages('on')}?limit=0`, key)).status).toBe(400);

    // None twice: a moment later each device still holds each message once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(on.received).toHaveLength(2);
    expect(off.received).toHaveLength(2);
    expect(lateDevice.received).toEqual([]);
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
