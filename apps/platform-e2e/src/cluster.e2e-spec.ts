import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { GatewayClientEvent, Headers, RegistryProjectChanged, Topics, deadLetterTopicOf, decodeDeviceMessages, decodeRecord, encodeRecord } from '@iot/contracts';
import { ServiceProcess, eventually, freePort, testInfra } from '@iot/testing';
import { deviceAclFlow } from './device-acl-flow';
import { deviceAuthFlow } from './device-auth-flow';
import { deviceBatchFlow } from './device-batch-flow';
import { deviceCommandsFlow } from './device-commands-flow';
import { deviceMessagesFlow } from './device-messages-flow';
import { deviceStatsFlow } from './device-stats-flow';

const SERVICES = ['device-registry', 'mqtt-gateway', 'command-service', 'rule-service'] as const;

/** Cluster mode: the four services as separate processes on the real Kafka, Redis and PostgreSQL. */
describe('cluster mode', () => {
  const run = randomUUID().slice(0, 8);
  const operatorKey = `cluster-e2e-operator-key-${run}`;
  const gatewayNode = `e2e-gateway-${run}`;
  const ports: Record<string, number> = {};
  const procs: Record<string, ServiceProcess> = {};
  const kafka = new Kafka({ brokers: [...testInfra.kafkaBrokers], clientId: `e2e-${run}`, logLevel: logLevel.NOTHING });
  const env = (service: string): Record<string, string> => ({
    HTTP_PORT: String(ports[service]),
    KAFKA_BROKERS: testInfra.kafkaBrokers.join(','),
    REDIS_URL: testInfra.redisUrl,
    DATABASE_URL: testInfra.databaseUrl,
    IOT_OPERATOR_KEY: operatorKey,
    NODE_ID: service === 'mqtt-gateway' ? gatewayNode : `e2e-${service}-${run}`,
    MQTT_PORT: String(ports.mqtt),
    MQTT_WS_PORT: '0',
    MQTT_STATS_INTERVAL_MS: '500',
    DEVICE_MESSAGE_SWEEP_MS: '500',
    BATCH_TASK_CONCURRENCY: '10',
    // A cheaper password hash than production's: this suite registers and connects a thousand devices.
    IOT_PASSWORD_HASH_COST: '10',
    LOG_LEVEL: 'info',
  });
  const url = (service: string, path: string) => `http://127.0.0.1:${ports[service]}${path}`;
  const appliedChanges = async (change: string): Promise<number> => {
    const text = await (await fetch(url('mqtt-gateway', '/metrics'))).text();
    const line = text.split('\n').find((l) => l.startsWith('iot_gateway_registry_changes_total{') && l.includes(`change="${change}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    for (const service of [...SERVICES, 'mqtt', 'mqtt-gateway-2', 'mqtt-2', 'command-service-2']) ports[service] = await freePort();
  });

  afterAll(async () => {
    await Promise.all(Object.values(procs).map((p) => p.stop()));
  });

  it('should run migrations as a separate step', async () => {
    // The test database was migrated by the global setup: the step must find nothing to do.
    const migrate = ServiceProcess.start('device-registry', env('device-registry'), ['migrate']);
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.output).toContain('schema is up to date');
  });

  it('should start all four services and report each ready with its own dependencies', async () => {
    for (const service of SERVICES) procs[service] = ServiceProcess.start(service, env(service));
    await Promise.all(SERVICES.map((service) => procs[service].waitReady(url(service, '/health/ready'), 90_000)));
    for (const service of SERVICES) {
      const body = (await (await fetch(url(service, '/health/ready'))).json()) as { details: Record<string, unknown> };
      const expected = service === 'mqtt-gateway' ? ['bus', 'state'] : ['bus', 'database', 'state'];
      expect(Object.keys(body.details).sort()).toEqual(expected);
      expect((await fetch(url(service, '/api/docs-json'))).status).toBe(200);
      expect(await (await fetch(url(service, '/metrics'))).text()).toContain(`service="${service}"`);
    }
    expect(procs['mqtt-gateway'].output).toContain(`MQTT on tcp://0.0.0.0:${ports.mqtt}`);
  });

  it('should carry a registry change from the registry process to the gateway process over Kafka', async () => {
    const before = await appliedChanges('created');
    const res = await fetch(url('device-registry', '/api/v1/projects'), {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `cluster-${run}`, name: 'Cluster' }),
    });
    expect(res.status).toBe(201);
    await eventually(async () => expect(await appliedChanges('created')).toBe(before + 1));
  });

  /** A second gateway node, for the device flows: devices spread over and move between the two. */
  const gatewayUrls = async (): Promise<string[]> => {
    if (!procs['mqtt-gateway-2']) {
      procs['mqtt-gateway-2'] = ServiceProcess.start('mqtt-gateway', { ...env('mqtt-gateway'), HTTP_PORT: String(ports['mqtt-gateway-2']), MQTT_PORT: String(ports['mqtt-2']), NODE_ID: `${gatewayNode}-2` });
      await procs['mqtt-gateway-2'].waitReady(url('mqtt-gateway-2', '/health/ready'), 60_000);
    }
    return [`mqtt://127.0.0.1:${ports.mqtt}`, `mqtt://127.0.0.1:${ports['mqtt-2']}`];
  };

  it('should enforce ACL rules made over REST on publish and subscribe, and keep projects apart — reporting each accepted step once on Kafka', async () => {
    const projectId = `acl-${run}`;
    const device = `${projectId}-a`;
    // What the gateways report during the flow, read from the contract topics as any consumer would.
    const events: { type: string; topic?: string }[] = [];
    const messages: string[] = [];
    const consumer = kafka.consumer({ groupId: `e2e-acl-reader-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.GatewayClientEventV1, Topics.GatewayDeviceMessageV1], fromBeginning: false });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() !== `${projectId}/${device}`) return;
        const record = { topic, key: message.key.toString(), value: message.value, headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) };
        if (topic === Topics.GatewayClientEventV1) {
          const event = decodeRecord(GatewayClientEvent, record);
          events.push({ type: event.type, ...(event.topic ? { topic: event.topic } : {}) });
        } else {
          for (const { meta } of decodeDeviceMessages(record)) messages.push(meta.topic);
        }
      },
    });
    await joined;
    try {
      await deviceAclFlow({ commandUrl: url('command-service', ''), registryUrl: url('device-registry', ''), mqttUrls: await gatewayUrls(), operatorKey, projectId });
      await eventually(() => expect(events.map((e) => e.type)).toContain('disconnected'), 15_000);
      // Connected, proxy-subscribed and unsubscribed, disconnected: each once.
      expect(events).toEqual([
        { type: 'connected' },
        { type: 'subscribed', topic: 'alerts/#' },
        { type: 'subscribed', topic: `$oc/devices/${device}/sys/messages/down` },
        { type: 'unsubscribed', topic: 'alerts/#' },
        { type: 'disconnected' },
      ]);
      // Its accepted publishes once each; the refused ones (another farm, another device's $oc topic) never.
      expect(messages.filter((t) => t === `farms/${device}/telemetry`)).toHaveLength(2);
      expect(messages.filter((t) => t === `$oc/devices/${device}/sys/messages/up`)).toHaveLength(1);
      expect(messages).not.toContain(`farms/${projectId}-b/telemetry`);
      expect(messages).not.toContain(`$oc/devices/${projectId}-b/sys/messages/up`);
    } finally {
      await consumer.disconnect();
    }
  });

  it('should authenticate devices with their registry credentials and disconnect them when those change', async () => {
    await deviceAuthFlow({ registryUrl: url('device-registry', ''), mqttUrls: await gatewayUrls(), operatorKey, projectId: `auth-${run}`, anonymousAllowed: false });
  });

  it('should report statistics of the project and the cluster, in total and per gateway node', async () => {
    await deviceStatsFlow({ registryUrl: url('device-registry', ''), mqttUrls: await gatewayUrls(), operatorKey, projectId: `stats-${run}` });
  });

  /** A second command-service instance: a device's answer is often read by the other one. */
  const commandUrls = async (): Promise<string[]> => {
    if (!procs['command-service-2']) {
      procs['command-service-2'] = ServiceProcess.start('command-service', { ...env('command-service'), HTTP_PORT: String(ports['command-service-2']), NODE_ID: `e2e-command-service-2-${run}` });
      await procs['command-service-2'].waitReady(url('command-service-2', '/health/ready'), 60_000);
    }
    return [url('command-service', ''), url('command-service-2', '')];
  };

  it('should run synchronous commands and property set/get through two command-service instances and two gateway nodes', async () => {
    await deviceCommandsFlow({ registryUrl: url('device-registry', ''), commandUrls: await commandUrls(), mqttUrls: await gatewayUrls(), operatorKey, projectId: `cmd-${run}` });
  });

  /** Stops every command-service process gracefully and starts it again on the same port and node id. */
  const restartCommandServices = async () => {
    const names = ['command-service', 'command-service-2'].filter((name) => procs[name]);
    await Promise.all(names.map((name) => procs[name].stop()));
    for (const name of names) {
      procs[name] = ServiceProcess.start('command-service', { ...env('command-service'), HTTP_PORT: String(ports[name]), NODE_ID: name === 'command-service' ? `e2e-command-service-${run}` : `e2e-command-service-2-${run}` });
    }
    await Promise.all(names.map((name) => procs[name].waitReady(url(name, '/health/ready'), 60_000)));
  };

  it('should run a batch task over 1,000 simulated devices on two nodes, resume it across a restart of the command services, and count every outcome', async () => {
    await deviceBatchFlow({ registryUrl: url('device-registry', ''), commandUrl: url('command-service', ''), mqttUrls: await gatewayUrls(), operatorKey, projectId: `batch-${run}`, restart: restartCommandServices });
  }, 240_000);

  it('should deliver device messages at once or once the device connects (across a restart of the command services), time them out, and announce each status', async () => {
    const projectId = `msg-${run}`;
    const statuses: string[] = [];
    // The topic may not exist yet on a fresh Kafka: made first, so subscribing finds it.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: Topics.CommandMessageStatusChangedV1 }], waitForLeaders: true });
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `e2e-messages-reader-${run}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [Topics.CommandMessageStatusChangedV1], fromBeginning: false });
      const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value!.toString()) as { projectId: string; messageId: string; status: string };
          if (value.projectId === projectId) statuses.push(`${value.messageId}:${value.status}`);
        },
      });
      await joined;
      await deviceMessagesFlow({ registryUrl: url('device-registry', ''), commandUrl: url('command-service', ''), mqttUrls: await gatewayUrls(), operatorKey, projectId, restart: restartCommandServices });
      // Each status change once, in order per message.
      await eventually(() =>
        expect(statuses.filter((s) => /^(hello-1|queued-\d|short-lived):/.test(s)).sort()).toEqual(
          ['hello-1:DELIVERED', 'hello-1:PENDING', 'queued-1:DELIVERED', 'queued-1:PENDING', 'queued-2:DELIVERED', 'queued-2:PENDING', 'short-lived:PENDING', 'short-lived:TIMEOUT'],
        ),
      );
      expect(statuses.indexOf('hello-1:PENDING')).toBeLessThan(statuses.indexOf('hello-1:DELIVERED'));
    } finally {
      await consumer.disconnect();
    }
  });

  it('should dead-letter malformed and unknown-version records and keep consuming', async () => {
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `e2e-dlt-reader-${run}` });
    const dead: { key: string; reason: string; group: string }[] = [];
    try {
      await producer.connect();
      await consumer.connect();
      // On a fresh cluster the dead-letter topic may not exist yet: make it, as the gateway would.
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: deadLetterTopicOf(Topics.RegistryProjectChangedV1) }] });
      await admin.disconnect();
      await consumer.subscribe({ topics: [deadLetterTopicOf(Topics.RegistryProjectChangedV1)], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const header = (name: string) => message.headers?.[name]?.toString() ?? '';
          dead.push({ key: message.key?.toString() ?? '', reason: header(Headers.DeadLetterReason), group: header(Headers.DeadLetterConsumerGroup) });
        },
      });

      const before = await appliedChanges('updated');
      const valid = encodeRecord(RegistryProjectChanged, { projectId: `after-${run}`, change: 'updated', name: 'x', occurredAt: new Date().toISOString() }, 'e2e');
      await producer.send({
        topic: Topics.RegistryProjectChangedV1,
        messages: [
          { key: `garbage-${run}`, value: 'this is not json', headers: valid.headers },
          { key: `future-${run}`, value: valid.value, headers: { ...valid.headers, [Headers.SchemaVersion]: '2' } },
          { key: valid.key, value: valid.value, headers: valid.headers },
        ],
      });

      const mine = await eventually(() => {
        const own = dead.filter((d) => d.group === `mqtt-gateway.registry-changes.${gatewayNode}` && d.key.endsWith(run));
        expect(own).toHaveLength(2);
        return own;
      }, 30_000);
      expect(mine.find((d) => d.key === `garbage-${run}`)!.reason).toMatch(/not valid JSON/);
      expect(mine.find((d) => d.key === `future-${run}`)!.reason).toMatch(/unknown schema version "2"/);
      await eventually(async () => expect(await appliedChanges('updated')).toBe(before + 1));
      expect(procs['mqtt-gateway'].output).toMatch(/"msg":"record dead-lettered"/);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('should shut every service down gracefully on SIGTERM', async () => {
    const results = await Promise.all(SERVICES.map((service) => procs[service].stop()));
    for (const [i, result] of results.entries()) {
      const clean = result.code === 0 || result.signal === 'SIGTERM';
      // The end of the service's log, should it not stop cleanly: what it was waiting for.
      const log = clean ? '' : procs[SERVICES[i]].output.slice(-3000);
      expect({ service: SERVICES[i], clean, fast: result.ms < 12_000, log }).toEqual({ service: SERVICES[i], clean: true, fast: true, log: '' });
    }
  });
});
