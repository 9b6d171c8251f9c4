import mqtt, { MqttClient } from 'mqtt';
import { eventually } from '@iot/testing';

/**
 * ACL rules end to end: rules made over REST decide, on the gateway, what devices may
 * publish and subscribe (placeholders filled per client; a device's own `$oc/devices/{id}/`
 * topics always allowed; deny by default), changes take effect without reconnecting, and a
 * project's devices never see another project's messages. Devices spread over the gateway
 * nodes given. Shared by the cluster and standalone suites.
 */
export async function deviceAclFlow(options: { registryUrl: string; commandUrl: string; mqttUrls: string[]; operatorKey: string; projectId: string }): Promise<void> {
  const { registryUrl, commandUrl, mqttUrls, operatorKey, projectId } = options;
  const call = async (method: string, path: string, key: string, body?: unknown, base = registryUrl) => {
    const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const clients: MqttClient[] = [];
  // Devices spread over the gateway nodes given: messages and rules must work across them.
  const deviceOf = async (project: string, key: string, id: string, mqttUrl = mqttUrls[clients.length % mqttUrls.length]): Promise<MqttClient> => {
    await call('POST', `/projects/${project}/devices`, key, { id });
    const { password } = await call('PUT', `/projects/${project}/devices/${id}/credentials`, key, {});
    const client = await mqtt.connectAsync(mqttUrl, { username: id, password, clientId: `${id}-client`, protocolVersion: 5, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  const received = (client: MqttClient) => {
    const topics: string[] = [];
    client.on('message', (topic) => topics.push(topic));
    return topics;
  };
  const pubackOf = async (client: MqttClient, topic: string): Promise<number> => {
    try {
      const packet = await client.publishAsync(topic, 'x', { qos: 1 });
      return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  };
  const grantedOf = async (client: MqttClient, filter: string): Promise<number> => {
    try {
      return (await client.subscribeAsync(filter, { qos: 1 }))[0].qos;
    } catch (error) {
      // MQTT.js rejects a SUBACK with a failure code; the code is in the packet.
      const granted = (error as { packet?: { granted?: (number | { qos: number })[] } }).packet?.granted?.[0];
      if (granted === undefined) throw error;
      return typeof granted === 'number' ? granted : granted.qos;
    }
  };

  try {
    await call('POST', '/projects', operatorKey, { id: projectId, name: projectId });
    const { key } = await call('POST', `/projects/${projectId}/api-keys`, operatorKey, { name: 'e2e' });
    const rules = `/projects/${projectId}/acl-rules`;
    await call('POST', rules, key, { who: 'all', action: 'publish', topic: 'farms/${deviceId}/#', permission: 'allow', priority: 10 });
    await call('POST', rules, key, { who: 'all', action: 'subscribe', topic: 'farms/+/telemetry', permission: 'allow', priority: 10 });
    await call('POST', rules, key, { who: { device: `${projectId}-b` }, action: 'subscribe', topic: 'farms/#', permission: 'deny', priority: 1 });

    const a = await deviceOf(projectId, key, `${projectId}-a`);
    const b = await deviceOf(projectId, key, `${projectId}-b`);
    const c = await deviceOf(projectId, key, `${projectId}-c`);
    const atC = received(c);

    // Subscribe: allowed by the rule for all; denied for b by its own earlier rule; nothing else.
    expect(await grantedOf(c, 'farms/+/telemetry')).toBe(1);
    expect(await grantedOf(b, 'farms/+/telemetry')).toBe(0x87);
    expect(await grantedOf(c, 'farms/#')).toBe(0x87); // wider than the rule
    expect(await grantedOf(c, `$oc/devices/${projectId}-c/sys/messages/down`)).toBe(1); // its own topics

    // Publish: its own farm (placeholder), not another's; its own $oc topics always.
    expect(await pubackOf(a, `farms/${projectId}-a/telemetry`)).toBe(0);
    expect(await pubackOf(a, `farms/${projectId}-b/telemetry`)).toBe(0x87);
    expect(await pubackOf(a, `$oc/devices/${projectId}-a/sys/messages/up`)).toBeLessThan(0x80);
    expect(await pubackOf(a, `$oc/devices/${projectId}-b/sys/messages/up`)).toBe(0x87);
    await eventually(() => expect(atC).toEqual([`farms/${projectId}-a/telemetry`]));

    // A change applies to connected clients without reconnecting.
    expect(await pubackOf(a, 'anywhere/else')).toBe(0x87);
    await call('PUT', `/projects/${projectId}/acl-default`, key, { permission: 'allow' });
    await eventually(async () => expect(await pubackOf(a, 'anywhere/else')).toBeLessThan(0x80));

    // Another project's device subscribed to everything sees none of this project's messages.
    const otherProject = `${projectId}-other`;
    await call('POST', '/projects', operatorKey, { id: otherProject, name: otherProject });
    const { key: otherKey } = await call('POST', `/projects/${otherProject}/api-keys`, operatorKey, { name: 'e2e' });
    await call('PUT', `/projects/${otherProject}/acl-default`, otherKey, { permission: 'allow' });
    const outsider = await deviceOf(otherProject, otherKey, `${otherProject}-x`);
    const atOutsider = received(outsider);
    await eventually(async () => expect(await grantedOf(outsider, '#')).toBe(1));
    expect(await pubackOf(a, `farms/${projectId}-a/telemetry`)).toBe(0);
    await eventually(() => expect(atC).toHaveLength(2));
    expect(atOutsider).toEqual([]);

    // The platform publishes over REST (the command service) to any topic of the project,
    // whatever the ACL; a batch reports its bad item and publishes the rest.
    await call('POST', `/projects/${projectId}/publish`, key, { topic: 'farms/rest/telemetry', payload: 'from the platform', qos: 1 }, commandUrl);
    await eventually(() => expect(atC).toContain('farms/rest/telemetry'));
    const batch = await call('POST', `/projects/${projectId}/publish/batch`, key, [{ topic: 'farms/batch/telemetry', payload: 'one' }, { topic: 'farms/#', payload: 'two' }], commandUrl);
    expect(batch).toMatchObject({ accepted: 1, failed: 1 });
    await eventually(() => expect(atC).toContain('farms/batch/telemetry'));
    expect(atOutsider).toEqual([]);

    // Proxy subscription: the platform subscribes device a (wherever it is connected) to a
    // topic its ACL would not let it subscribe to, and a REST publish reaches it.
    const atA = received(a);
    const subscriptions = `/projects/${projectId}/devices/${projectId}-a/subscriptions`;
    await eventually(async () => expect((await call('GET', `/projects/${projectId}/devices/${projectId}-a/status`, key)).online).toBe(true));
    await call('POST', subscriptions, key, { topic: 'alerts/#', qos: 1 });
    await eventually(async () => {
      await call('POST', `/projects/${projectId}/publish`, key, { topic: 'alerts/flood', payload: 'water!', qos: 1 }, commandUrl);
      expect(atA).toContain('alerts/flood');
    });
    expect((await call('GET', subscriptions, key)).items).toContainEqual({ topic: 'alerts/#', qos: 1 });
    // Unsubscribed wherever it is: a probe no longer reaches it, while a control message sent
    // right after the probe (same path, same order) still does.
    const control = `$oc/devices/${projectId}-a/sys/messages/down`;
    expect(await grantedOf(a, control)).toBe(1);
    await call('DELETE', `${subscriptions}/${encodeURIComponent('alerts/#')}`, key);
    let probe = 0;
    await eventually(async () => {
      const topic = `alerts/probe-${++probe}`;
      await call('POST', `/projects/${projectId}/publish/batch`, key, [{ topic, payload: 'probe', qos: 1 }, { topic: control, payload: `${probe}`, qos: 1 }], commandUrl);
      await eventually(() => expect(atA.filter((t) => t === control)).toHaveLength(probe));
      expect(atA).not.toContain(topic);
    }, 20_000);
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
