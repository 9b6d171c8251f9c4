import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt, { MqttClient } from 'mqtt';
import { eventually } from '@iot/testing';

const run = promisify(execFile);

/**
 * The device side of the registry, end to end: a device created and given credentials over
 * REST connects over MQTT with them; a wrong password, a disabled device, a rotated password
 * and a deleted device are refused — and a connected device is disconnected when it is
 * disabled, its password rotated, or it is deleted; password guessing is cut short; Debian's
 * mosquitto_pub and mosquitto_sub authenticate the same way. With
 * several gateway URLs the device moves between the nodes. Shared by the cluster and
 * standalone suites.
 */
export async function deviceAuthFlow(options: { registryUrl: string; mqttUrls: string[]; operatorKey: string; projectId: string; anonymousAllowed: boolean }): Promise<void> {
  const { registryUrl, mqttUrls, operatorKey, projectId, anonymousAllowed } = options;
  // With several gateway nodes the device moves between them as it reconnects.
  let attempts = 0;
  const nextUrl = () => mqttUrls[attempts++ % mqttUrls.length];
  const mqttUrl = mqttUrls[mqttUrls.length - 1];
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${registryUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const expectStatus = async (pending: ReturnType<typeof call>, status: number) => {
    const res = await pending;
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  await expectStatus(call('POST', '/projects', operatorKey, { id: projectId, name: projectId }), 201);
  const { key } = await expectStatus(call('POST', `/projects/${projectId}/api-keys`, operatorKey, { name: 'e2e' }), 201);
  const deviceId = `${projectId}-pump`;
  await expectStatus(call('POST', `/projects/${projectId}/devices`, key, { id: deviceId }), 201);
  const { password } = await expectStatus(call('PUT', `/projects/${projectId}/devices/${deviceId}/credentials`, key, {}), 200);

  const connect = (pass: string, protocolVersion: 4 | 5 = 5) =>
    mqtt.connectAsync(nextUrl(), { username: deviceId, password: pass, clientId: `${deviceId}-${Math.random().toString(16).slice(2, 8)}`, protocolVersion, reconnectPeriod: 0, connectTimeout: 5_000 });
  const refusal = async (pass: string, protocolVersion: 4 | 5 = 5): Promise<number | undefined> => {
    try {
      const client = await connect(pass, protocolVersion);
      await client.endAsync(true);
      return undefined;
    } catch (error) {
      return (error as { code?: number }).code;
    }
  };
  const disconnection = (client: MqttClient) =>
    new Promise<number | undefined>((resolve) => client.on('packetreceive', (packet) => packet.cmd === 'disconnect' && resolve((packet as { reasonCode?: number }).reasonCode)));

  // The right password gets in; a wrong one is refused (5.0: 0x86, 3.1.1: 4).
  const device = await connect(password);
  expect(device.connected).toBe(true);
  expect(await refusal('wrong-password')).toBe(0x86);
  expect(await refusal('wrong-password', 4)).toBe(4);

  // Presence: online, through the gateway; kicked over REST (0x98), it is offline, with history.
  const devicePath = `/projects/${projectId}/devices/${deviceId}`;
  await eventually(async () => expect(await expectStatus(call('GET', `${devicePath}/status`, key), 200)).toMatchObject({ online: true, protocolVersion: 5, clientId: expect.any(String), node: expect.any(String) }));
  const kicked = disconnection(device);
  await expectStatus(call('DELETE', `${devicePath}/connection`, key), 204);
  expect(await kicked).toBe(0x98);
  await eventually(async () => expect((await expectStatus(call('GET', `${devicePath}/status`, key), 200)).online).toBe(false));
  const history = await expectStatus(call('GET', `${devicePath}/connection-history`, key), 200);
  expect(history.items.map((e: { event: string }) => e.event)).toEqual(['disconnected', 'connected']);
  expect((await call('DELETE', `${devicePath}/connection`, key)).status).toBe(404);
  const reconnected = await connect(password);

  // Disabled: the live connection is closed (0x98) and the next CONNECT refused (0x87).
  const disabled = disconnection(reconnected);
  await expectStatus(call('PATCH', `/projects/${projectId}/devices/${deviceId}`, key, { enabled: false }), 200);
  expect(await disabled).toBe(0x98);
  await eventually(async () => expect(await refusal(password)).toBe(0x87));

  // Enabled again and the password rotated: the old one is refused, the new one works.
  await expectStatus(call('PATCH', `/projects/${projectId}/devices/${deviceId}`, key, { enabled: true }), 200);
  const again = await eventually(() => connect(password));
  const rotated = disconnection(again);
  await expectStatus(call('PUT', `/projects/${projectId}/devices/${deviceId}/credentials`, key, { password: 'the-new-password' }), 200);
  expect(await rotated).toBe(0x98);
  await eventually(async () => expect(await refusal(password)).toBe(0x86));
  const renewed = await connect('the-new-password');

  // Deleted: disconnected, and its username no longer exists — refused, or with anonymous
  // access on, admitted as anyone else without credentials (into the default project).
  const deleted = disconnection(renewed);
  await expectStatus(call('DELETE', `/projects/${projectId}/devices/${deviceId}`, key), 204);
  expect(await deleted).toBe(0x98);
  await eventually(async () => expect(await refusal('the-new-password')).toBe(anonymousAllowed ? undefined : 0x86));

  // Password guessing: after 10 failures in a minute the username is refused unchecked (0x8A).
  const guessed = `${projectId}-guessed`;
  await expectStatus(call('POST', `/projects/${projectId}/devices`, key, { id: guessed }), 201);
  const { password: guessedPassword } = await expectStatus(call('PUT', `/projects/${projectId}/devices/${guessed}/credentials`, key, {}), 200);
  const attempt = async (pass: string) => {
    try {
      const client = await mqtt.connectAsync(mqttUrl, { username: guessed, password: pass, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5_000 });
      await client.endAsync(true);
      return 0;
    } catch (error) {
      return (error as { code?: number }).code;
    }
  };
  for (let i = 0; i < 10; i++) expect(await attempt(`guess-${i}`)).toBe(0x86);
  expect(await attempt(guessedPassword)).toBe(0x8a);

  // Debian's mosquitto clients with a device's credentials: mosquitto_sub on one node receives
  // what mosquitto_pub sends on another (the device's own $oc topic); a wrong password is refused.
  const plain = `${projectId}-mosquitto`;
  await expectStatus(call('POST', `/projects/${projectId}/devices`, key, { id: plain }), 201);
  const { password: plainPassword } = await expectStatus(call('PUT', `/projects/${projectId}/devices/${plain}/credentials`, key, {}), 200);
  await mosquittoRoundTrip(mqttUrls, plain, plainPassword);
}

/** mosquitto_sub (first node) and mosquitto_pub (last node) as the device; then a refused mosquitto_pub. */
async function mosquittoRoundTrip(mqttUrls: string[], deviceId: string, password: string): Promise<void> {
  const at = (url: string) => ['-h', new URL(url).hostname, '-p', new URL(url).port];
  const topic = `$oc/devices/${deviceId}/sys/messages/up`;
  const sub = spawn('mosquitto_sub', [...at(mqttUrls[0]), '-V', 'mqttv5', '-u', deviceId, '-P', password, '-i', `${deviceId}-msub`, '-t', topic, '-q', '1', '-C', '1', '-W', '20']);
  let output = '';
  sub.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
  try {
    // Published until the subscriber has it: it may not have subscribed yet.
    await eventually(async () => {
      await run('mosquitto_pub', [...at(mqttUrls[mqttUrls.length - 1]), '-V', 'mqttv311', '-u', deviceId, '-P', password, '-i', `${deviceId}-mpub`, '-t', topic, '-q', '1', '-m', 'from mosquitto_pub']);
      expect(output).toContain('from mosquitto_pub');
    }, 15_000);
    expect(await exited).toBe(0);
  } finally {
    sub.kill();
  }
  await expect(run('mosquitto_pub', [...at(mqttUrls[0]), '-V', 'mqttv311', '-u', deviceId, '-P', 'wrong-password', '-t', topic, '-m', 'x'])).rejects.toMatchObject({ stderr: expect.stringMatching(/not authori[sz]ed|bad user name or password/i) });
}
