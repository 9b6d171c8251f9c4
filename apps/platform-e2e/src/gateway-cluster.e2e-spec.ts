import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Kafka, Producer, logLevel } from 'kafkajs';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { GatewayCommand, GatewayCommandValue, encodeRecord } from '@iot/contracts';
import { ServiceProcess, eventually, freePort, testInfra } from '@iot/testing';

type Received = { topic: string; payload: string; packet: mqtt.IPublishPacket }[];

/**
 * Three gateway processes on the real Redis and Kafka, clients connecting to different
 * nodes: what a plain TCP load balancer in front of the cluster would do to them.
 */
describe('gateway cluster', () => {
  const run = randomUUID().slice(0, 8);
  const nodes = ['a', 'b', 'c'] as const;
  type NodeName = (typeof nodes)[number];
  const ports: Record<string, { http: number; mqtt: number }> = {};
  const procs: Partial<Record<NodeName, ServiceProcess>> = {};
  const clients: MqttClient[] = [];
  const redis = new Redis(testInfra.redisUrl);
  const nodeId = (node: NodeName) => `e2e-gw-${node}-${run}`;
  const topic = (name: string) => `cluster-${run}/${name}`;
  let producer: Producer;
  /** What another service (registry, command service) does: a command on Kafka, for whichever node. */
  const command = async (value: Omit<GatewayCommandValue, 'requestedAt' | 'projectId'>) => {
    const record = encodeRecord(GatewayCommand, { projectId: 'default', requestedAt: new Date().toISOString(), ...value } as GatewayCommandValue, 'e2e');
    await producer.send({ topic: record.topic, messages: [{ key: record.key, value: record.value, headers: record.headers }] });
  };

  /** Connects with the inbox attached before CONNACK, so nothing sent right after it is missed. */
  const connect = async (node: NodeName, options: IClientOptions = {}): Promise<{ client: MqttClient; received: Received; connack: mqtt.IConnackPacket }> => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${ports[node].mqtt}`, { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
    clients.push(client);
    const received: Received = [];
    client.on('message', (t, payload, packet) => received.push({ topic: t, payload: payload.toString(), packet }));
    const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    return { client, received, connack };
  };

  const startNode = (node: NodeName) => {
    procs[node] = ServiceProcess.start('mqtt-gateway', {
      HTTP_PORT: String(ports[node].http),
      MQTT_PORT: String(ports[node].mqtt),
      MQTT_HOST: '127.0.0.1',
      MQTT_WS_PORT: '0',
      MQTT_ALLOW_ANONYMOUS: 'true',
      KAFKA_BROKERS: testInfra.kafkaBrokers.join(','),
      REDIS_URL: testInfra.redisUrl,
      NODE_ID: nodeId(node),
      LOG_LEVEL: 'info',
    });
  };

  /** Routes reach other nodes asynchronously: publish probes until one arrives. */
  const untilRouted = async (publisher: MqttClient, probeTopic: string, received: Received) => {
    await eventually(async () => {
      await publisher.publishAsync(probeTopic, 'probe');
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!received.some((m) => m.payload === 'probe')) throw new Error(`no route to ${probeTopic} yet`);
    }, 10_000);
    // Probes sent before the first one landed may still be on their way (a busy machine):
    // let them land before the test starts counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    received.length = 0;
  };

  beforeAll(async () => {
    for (const node of nodes) ports[node] = { http: await freePort(), mqtt: await freePort() };
    for (const node of nodes) startNode(node);
    await Promise.all(nodes.map((node) => procs[node]!.waitReady(`http://127.0.0.1:${ports[node].http}/health/ready`, 90_000)));
    producer = new Kafka({ brokers: [...testInfra.kafkaBrokers], clientId: `e2e-cluster-${run}`, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await Promise.all(Object.values(procs).map((p) => p.stop()));
    await producer?.disconnect();
    redis.disconnect();
  });

  it.each([0, 1, 2] as const)('should carry a QoS %i publish from one node to a subscriber on another', async (qos) => {
    const { client: sub, received } = await connect('a');
    await sub.subscribeAsync(topic(`cross/${qos}/#`), { qos });
    const { client: pub } = await connect('b');
    await untilRouted(pub, topic(`cross/${qos}/probe`), received);
    for (let i = 0; i < 20; i++) await pub.publishAsync(topic(`cross/${qos}/${i}`), `m${i}`, { qos });
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`)));
    expect(received.every((m) => m.packet.qos === qos)).toBe(true);
  });

  it('should carry a 5.0 publish and its properties from one node to a subscriber on another', async () => {
    const { client: sub, received } = await connect('a', { protocolVersion: 5 });
    await sub.subscribeAsync(topic('props/#'), { qos: 1 });
    const { client: pub } = await connect('b', { protocolVersion: 5 });
    await untilRouted(pub, topic('props/probe'), received);
    const properties = {
      contentType: 'application/json',
      responseTopic: topic('props/reply'),
      correlationData: Buffer.from([0, 1, 254, 255]),
      userProperties: { unit: 'kWh', tag: ['a', 'b'] },
      messageExpiryInterval: 3_600,
      payloadFormatIndicator: true,
    };
    await pub.publishAsync(topic('props/ünïcødé'), Buffer.from([0, 255, 10]), { qos: 1, properties });
    await eventually(() => expect(received).toHaveLength(1));
    const { packet } = received[0];
    expect(packet.topic).toBe(topic('props/ünïcødé'));
    expect([...packet.payload]).toEqual([0, 255, 10]);
    expect(packet.properties).toMatchObject({ contentType: 'application/json', responseTopic: topic('props/reply'), userProperties: { unit: 'kWh', tag: ['a', 'b'] }, payloadFormatIndicator: true });
    expect([...packet.properties!.correlationData!]).toEqual([0, 1, 254, 255]);
    // [MQTT-3.3.2-6] the expiry interval arrives reduced by the time the message waited, if at all.
    expect(packet.properties!.messageExpiryInterval).toBeGreaterThan(3_590);
    expect(packet.properties!.messageExpiryInterval).toBeLessThanOrEqual(3_600);
  });

  it('should deliver once per subscription even with several matching subscriptions on the other node', async () => {
    const { client: sub1, received: r1 } = await connect('a');
    const { client: sub2, received: r2 } = await connect('a');
    await sub1.subscribeAsync([topic('fan/+'), topic('fan/#')], { qos: 1 });
    await sub2.subscribeAsync(topic('fan/x'), { qos: 1 });
    const { client: pub } = await connect('c');
    await untilRouted(pub, topic('fan/x'), r2);
    r1.length = 0;
    await pub.publishAsync(topic('fan/x'), 'once', { qos: 1 });
    await eventually(() => {
      expect(r1.map((m) => m.payload)).toEqual(['once']);
      expect(r2.map((m) => m.payload)).toEqual(['once']);
    });
  });

  it('should slow a publisher on one node down to a slow subscriber on another, losing nothing', async () => {
    // Receive Maximum 5: the subscriber takes five at a time; its node queues 1,000 for it at most.
    const { client: sub, received } = await connect('a', { protocolVersion: 5, properties: { receiveMaximum: 5 } });
    await sub.subscribeAsync(topic('flow/#'), { qos: 1 });
    const { client: pub } = await connect('b');
    await untilRouted(pub, topic('flow/probe'), received);
    const count = 5_000;
    // All at once: node B reads them far faster than node A can hand them to the subscriber.
    await Promise.all(Array.from({ length: count }, (_, i) => pub.publishAsync(topic(`flow/${i % 7}`), String(i), { qos: 1 })));
    await eventually(() => expect(received).toHaveLength(count), 30_000);
    expect(received.map((m) => Number(m.payload))).toEqual(Array.from({ length: count }, (_, i) => i));
  }, 60_000);

  it('should slow publishers on two nodes down to one slow subscriber on a third, losing nothing', async () => {
    // Two senders at once: each node's forwarding window is its share, so together they
    // cannot overrun the subscriber's queue (1,000) on node A.
    const { client: sub, received } = await connect('a', { protocolVersion: 5, properties: { receiveMaximum: 5 } });
    await sub.subscribeAsync(topic('flow2/#'), { qos: 1 });
    const { client: pubB } = await connect('b');
    const { client: pubC } = await connect('c');
    await untilRouted(pubB, topic('flow2/probe'), received);
    await untilRouted(pubC, topic('flow2/probe'), received);
    const perPublisher = 2_500;
    await Promise.all(
      [pubB, pubC].flatMap((pub, p) => Array.from({ length: perPublisher }, (_, i) => pub.publishAsync(topic(`flow2/${p}`), `${p}:${i}`, { qos: 1 }))),
    );
    await eventually(() => expect(received).toHaveLength(2 * perPublisher), 30_000);
    // Each publisher's messages arrive whole and in its order.
    for (const p of [0, 1]) {
      expect(received.filter((m) => m.payload.startsWith(`${p}:`)).map((m) => Number(m.payload.split(':')[1]))).toEqual(Array.from({ length: perPublisher }, (_, i) => i));
    }
  }, 60_000);

  it.each([1, 2] as const)('should resume a persistent session on another node with every QoS %i message missed while offline, exactly once', async (qos) => {
    const clientId = `mover-${qos}-${run}`;
    const options = { clientId, clean: false, protocolVersion: 5 as const, properties: { sessionExpiryInterval: 300 } };
    const first = await connect('a', options);
    await first.client.subscribeAsync(topic(`moves/${qos}/#`), { qos });
    const { client: pub } = await connect('b');
    await untilRouted(pub, topic(`moves/${qos}/probe`), first.received);
    await first.client.endAsync();
    for (let i = 0; i < 10; i++) await pub.publishAsync(topic(`moves/${qos}/${i}`), `missed ${i}`, { qos });

    const { received, connack } = await connect('b', options);
    expect(connack.sessionPresent).toBe(true);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(Array.from({ length: 10 }, (_, i) => `missed ${i}`)), 10_000);
    // Now held by node B: a publish on node C still reaches it, once.
    const { client: pubC } = await connect('c');
    await eventually(async () => {
      await pubC.publishAsync(topic(`moves/${qos}/after`), 'after', { qos });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received.some((m) => m.payload === 'after')).toBe(true);
    }, 10_000);
    expect(new Set(received.map((m) => m.payload)).size).toBe(received.length);
  });

  it('should take a client over across nodes: the first connection gets 0x8E, never two live connections', async () => {
    const clientId = `twice-${run}`;
    const first = await connect('a', { clientId, protocolVersion: 5 });
    const reason = new Promise<number | undefined>((resolve) => first.client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    await connect('c', { clientId, protocolVersion: 5 });
    expect(await reason).toBe(0x8e);
    await eventually(async () => {
      const presence = JSON.parse((await redis.hget('mqtt:presence:default', clientId)) ?? '{}') as { node?: string };
      expect(presence.node).toBe(nodeId('c'));
    });
  });

  it('should give each message of a shared subscription to one member cluster-wide', async () => {
    const shared = `$share/workers-${run}/${topic('jobs/#')}`;
    const { client: w1, received: r1 } = await connect('a');
    const { client: w2, received: r2 } = await connect('b');
    await w1.subscribeAsync(shared, { qos: 1 });
    await w2.subscribeAsync(shared, { qos: 1 });
    const { client: pub } = await connect('c');
    // Both members must be known to node C before counting.
    await eventually(async () => {
      await pub.publishAsync(topic('jobs/probe'), 'probe', { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!r1.some((m) => m.payload === 'probe') || !r2.some((m) => m.payload === 'probe')) throw new Error('not both routed yet');
    }, 10_000);
    r1.length = 0;
    r2.length = 0;
    for (let i = 0; i < 40; i++) await pub.publishAsync(topic(`jobs/${i}`), `job ${i}`, { qos: 1 });
    await eventually(() => expect(r1.length + r2.length).toBe(40));
    const all = [...r1, ...r2].map((m) => m.payload).sort();
    expect(new Set(all).size).toBe(40);
    expect(r1.length).toBeGreaterThan(0);
    expect(r2.length).toBeGreaterThan(0);
  });

  it('should keep retained messages cluster-wide', async () => {
    const { client: pub } = await connect('a');
    await pub.publishAsync(topic('retained/state'), 'kept', { qos: 1, retain: true });
    const { client: sub, received } = await connect('c');
    await sub.subscribeAsync(topic('retained/#'), { qos: 1 });
    await eventually(() => expect(received.map((m) => [m.payload, m.packet.retain])).toEqual([['kept', true]]));
  });

  it('should run commands from other services on whichever node holds the client: publish, subscribe, unsubscribe, kick', async () => {
    const clientId = `commanded-${run}`;
    const { client, received } = await connect('b', { clientId, protocolVersion: 5 });
    const kicked = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    // A proxy subscription, then a platform publish that it catches (commands of one client stay in order).
    await command({ action: 'subscribe', clientId, filter: topic('commanded/#'), qos: 1 });
    await eventually(async () => {
      await command({ action: 'publish', message: { topic: topic('commanded/1'), payload: Buffer.from('from the platform').toString('base64'), qos: 1, retain: false } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.map((m) => m.payload)).toContain('from the platform');
    }, 30_000);
    await command({ action: 'unsubscribe', clientId, filter: topic('commanded/#') });
    await command({ action: 'kick', clientId });
    expect(await kicked).toBe(0x98);
    received.length = 0;
  }, 60_000);

  it('should add a proxy subscription to a disconnected client with a persistent session', async () => {
    const clientId = `parked-sub-${run}`;
    const options = { clientId, clean: false, protocolVersion: 5 as const, properties: { sessionExpiryInterval: 300 } };
    const first = await connect('a', options);
    await first.client.endAsync();
    await command({ action: 'subscribe', clientId, filter: topic('parked-sub/#'), qos: 1 });
    // Published on node A, which holds the parked session: no wait for route replicas elsewhere.
    const { client: pub } = await connect('a');
    // Routed once the parked session's node announced the new filter.
    await eventually(async () => {
      const fields = await redis.hkeys('mqtt:routes');
      expect(fields).toContain(`${nodeId('a')}\u0000default\u0000${topic('parked-sub/#')}`);
    }, 30_000);
    await pub.publishAsync(topic('parked-sub/x'), 'kept for you', { qos: 1 });
    const { received } = await connect('b', options);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['kept for you']), 10_000);
  }, 60_000);

  it('should clean up after a node restarted under the same id before anyone noticed it died', async () => {
    const { client: watcher, received } = await connect('a');
    await watcher.subscribeAsync(topic('restart-wills/#'), { qos: 1 });
    const victimId = `restart-victim-${run}`;
    await connect('b', { clientId: victimId, will: { topic: topic('restart-wills/victim'), payload: Buffer.from('gone too'), qos: 1, retain: false } });
    await eventually(async () => expect(await redis.hget('mqtt:presence:default', victimId)).not.toBeNull());
    await procs.b!.kill();
    startNode('b');
    await procs.b!.waitReady(`http://127.0.0.1:${ports.b.http}/health/ready`, 60_000);
    await eventually(async () => expect(await redis.hget('mqtt:presence:default', victimId)).toBeNull(), 15_000);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['gone too']), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(received.map((m) => m.payload)).toEqual(['gone too']);
  }, 90_000);

  it('should mark the clients of a killed node offline within 15 s, send their wills once, and leave no ghost sessions or routes', async () => {
    const { client: watcher, received } = await connect('a');
    await watcher.subscribeAsync(topic('wills/#'), { qos: 1 });
    const victimId = `victim-${run}`;
    await connect('b', { clientId: victimId, will: { topic: topic('wills/victim'), payload: Buffer.from('gone'), qos: 1, retain: false } });
    const persistent = await connect('b', { clientId: `parked-${run}`, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    await persistent.client.subscribeAsync(topic('parked/#'), { qos: 1 });
    await eventually(async () => expect(await redis.hget('mqtt:presence:default', victimId)).not.toBeNull());

    const killedAt = Date.now();
    await procs.b!.kill();
    await eventually(async () => expect(await redis.hget('mqtt:presence:default', victimId)).toBeNull(), 15_000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(['gone']), 5_000);
    // Nothing of node B is left: no routes, no session ownerships, not a member any more (the
    // clean-up is a sequence of steps; membership goes last).
    await eventually(async () => {
      const routes = await redis.hkeys('mqtt:routes');
      expect(routes.filter((field) => field.startsWith(`${nodeId('b')}\u0000`))).toEqual([]);
      expect(await redis.hget('mqtt:session-owner:default', `parked-${run}`)).toBeNull();
      expect(await redis.hexists('mqtt:nodes', nodeId('b'))).toBe(0);
    }, 5_000);
    // The will went once only, however many nodes looked for dead ones.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(received.map((m) => m.payload)).toEqual(['gone']);
  }, 40_000);

  it('should drain a node on SIGTERM: 0x8B to 5.0 clients, 3.1.1 clients closed, sessions adopted by another node with what was published meanwhile', async () => {
    const clientId = `drained-${run}`;
    const options = { clientId, clean: false, protocolVersion: 5 as const, properties: { sessionExpiryInterval: 300 } };
    const v5 = await connect('c', options);
    await v5.client.subscribeAsync(topic('drain/#'), { qos: 1 });
    const v311 = await connect('c', { clientId: `drained-311-${run}` });
    const { client: pub } = await connect('a');
    await untilRouted(pub, topic('drain/probe'), v5.received);
    const reason = new Promise<number | undefined>((resolve) => v5.client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    const closed311 = new Promise<void>((resolve) => v311.client.once('close', () => resolve()));

    const stopped = await procs.c!.stop();
    // Graceful: the hooks ran (Nest re-raises SIGTERM once they have) and no SIGKILL was needed.
    expect(stopped.code === 0 || stopped.signal === 'SIGTERM').toBe(true);
    expect(stopped.ms).toBeLessThan(12_000);
    expect(await reason).toBe(0x8b);
    await closed311;
    // Nothing of node C is left behind: it left the cluster on its way out.
    expect(await redis.hexists('mqtt:nodes', nodeId('c'))).toBe(0);
    expect((await redis.hkeys('mqtt:routes')).filter((field) => field.startsWith(`${nodeId('c')}\u0000`))).toEqual([]);

    for (let i = 0; i < 5; i++) await pub.publishAsync(topic(`drain/${i}`), `while moving ${i}`, { qos: 1 });
    const { received, connack } = await connect('a', options);
    expect(connack.sessionPresent).toBe(true);
    // Another node adopted the session as node C stopped: what was published meanwhile waited for it.
    await eventually(() => expect(received.map((m) => m.payload)).toEqual(Array.from({ length: 5 }, (_, i) => `while moving ${i}`)), 10_000);
    // Its subscription came with it: what is published from now on arrives.
    await eventually(async () => {
      await pub.publishAsync(topic('drain/after'), 'after', { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received.some((m) => m.payload === 'after')).toBe(true);
    }, 10_000);
  }, 40_000);
});
