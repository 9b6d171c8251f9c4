import mqtt, { MqttClient } from 'mqtt';
import { eventually } from '@iot/testing';

/**
 * Statistics end to end: two devices (spread over the gateway nodes given) subscribe, publish
 * at QoS 0 and 1 (one retained), one login fails; the project's statistics then show exactly
 * that — cluster total and per node — and the operator's cluster statistics include it.
 * Gateways report every MQTT_STATS_INTERVAL_MS, so figures are awaited, not read once.
 * Shared by the cluster and standalone suites.
 */
export async function deviceStatsFlow(options: { registryUrl: string; mqttUrls: string[]; operatorKey: string; projectId: string }): Promise<void> {
  const { registryUrl, mqttUrls, operatorKey, projectId } = options;
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${registryUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await call(method, path, key, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const clients: MqttClient[] = [];
  try {
    await ok('POST', '/projects', operatorKey, { id: projectId, name: projectId });
    const { key } = await ok('POST', `/projects/${projectId}/api-keys`, operatorKey, { name: 'e2e' });
    await ok('PUT', `/projects/${projectId}/acl-default`, key, { permission: 'allow' });
    const passwords: Record<string, string> = {};
    for (const id of ['s1', 's2']) {
      await ok('POST', `/projects/${projectId}/devices`, key, { id: `${projectId}-${id}` });
      passwords[id] = (await ok('PUT', `/projects/${projectId}/devices/${projectId}-${id}/credentials`, key, {})).password;
    }
    const connect = (id: string, url: string) =>
      mqtt.connectAsync(url, { username: `${projectId}-${id}`, password: passwords[id], clientId: `${projectId}-${id}-client`, protocolVersion: 5, reconnectPeriod: 0 });
    const s1 = await connect('s1', mqttUrls[0]);
    const s2 = await connect('s2', mqttUrls[1 % mqttUrls.length]);
    clients.push(s1, s2);
    // One refused login of this project's device (a wrong password).
    await expect(mqtt.connectAsync(mqttUrls[0], { username: `${projectId}-s1`, password: 'wrong', clientId: `${projectId}-intruder`, protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow();

    const atS1: string[] = [];
    const atS2: string[] = [];
    s1.on('message', (topic) => atS1.push(topic));
    s2.on('message', (topic) => atS2.push(topic));
    // The same filter on both devices (one topic cluster-wide), at QoS 0 and 1.
    await s1.subscribeAsync('stats/#', { qos: 0 });
    await s2.subscribeAsync('stats/#', { qos: 1 });
    // Routes reach the other node asynchronously: publish once the platform has seen both subscriptions.
    for (const id of ['s1', 's2']) {
      await eventually(async () => expect((await ok('GET', `/projects/${projectId}/devices/${projectId}-${id}/subscriptions`, key)).items).toHaveLength(1));
    }
    for (let i = 0; i < 3; i++) await s1.publishAsync(`stats/q1/${i}`, 'x', { qos: 1, retain: i === 0 });
    for (let i = 0; i < 2; i++) await s1.publishAsync(`stats/q0/${i}`, 'x', { qos: 0 });
    await eventually(() => {
      expect(atS1).toHaveLength(5);
      expect(atS2).toHaveLength(5);
    });

    const stats = `/projects/${projectId}/stats`;
    await eventually(async () => {
      const { total, nodes } = await ok('GET', stats, key);
      expect(total).toMatchObject({
        connections: 2,
        sessions: 2,
        subscriptions: 2,
        topics: 1,
        retained: 1,
        messages: {
          received: { qos0: 2, qos1: 3, qos2: 0, total: 5 },
          // s1 gets all five at QoS 0 (its subscription's), s2 each at the QoS it was published with.
          sent: { qos0: 7, qos1: 3, qos2: 0, total: 10 },
          dropped: { qos0: 0, qos1: 0, qos2: 0, total: 0 },
        },
        auth: { successes: 2, failures: 1 },
      });
      expect(total.bytes.received).toBeGreaterThan(0);
      expect(total.bytes.sent).toBeGreaterThan(0);
      // Counted from each client's CONNACK on: SUBSCRIBE and five PUBLISH from s1, SUBSCRIBE from s2.
      expect(total.packets.received).toBeGreaterThanOrEqual(1 + 5 + 1);
      // Devices spread over the nodes: each node serving one holds its share.
      const serving = (nodes as { node: string; connections: number; topics: number }[]).filter((n) => n.connections > 0);
      expect(serving).toHaveLength(mqttUrls.length);
      for (const node of serving) {
        expect(node.connections).toBe(2 / mqttUrls.length);
        expect(node.topics).toBe(1);
      }
    }, 15_000);

    // The operator's view of the cluster includes this project's figures.
    const cluster = await ok('GET', '/stats', operatorKey);
    expect(cluster.total.connections).toBeGreaterThanOrEqual(2);
    expect(cluster.total.messages.received.qos1).toBeGreaterThanOrEqual(3);
    expect(cluster.total.auth.failures).toBeGreaterThanOrEqual(1);
    expect(cluster.nodes.length).toBeGreaterThanOrEqual(mqttUrls.length);

    // A client that leaves is no longer counted once its node reports again.
    await s1.endAsync();
    await eventually(async () => expect((await ok('GET', stats, key)).total).toMatchObject({ connections: 1, sessions: 1, subscriptions: 1, topics: 1 }), 15_000);

    // Project keys see only their own project; the cluster view is the operator's.
    expect((await call('GET', '/stats', key)).status).toBe(401);
    expect((await call('GET', `/projects/${projectId}-nope/stats`, operatorKey)).status).toBe(404);
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
