import { INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { EventPublisher, MessageBus } from '@iot/bus';
import { RegistryProjectChanged } from '@iot/contracts';
import { RuntimeModule, createRootLogger, createServiceApp } from '@iot/runtime';
import { clusterTestConfig, eventually } from '@iot/testing';
import { MqttGatewayModule } from '../mqtt-gateway.module';
import { RegistryCache } from './registry-cache';

describe('RegistryChangesConsumer (Kafka, Redis)', () => {
  let app: INestApplication;
  let cache: RegistryCache;
  let registry: EventPublisher;

  beforeAll(async () => {
    const config = clusterTestConfig('mqtt-gateway');
    const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
    @Module({
      imports: [
        RuntimeModule.forRoot(config, logger),
        MqttGatewayModule.forRoot({
          mqtt: { port: 0, tlsPort: 0, wsPort: 0, wssPort: 0, wsPath: '/mqtt', host: '127.0.0.1', allowAnonymous: false, maxKeepAlive: 65535, maxPacketSize: 1_048_576, maxInflight: 32, maxQueuedMessages: 1000 },
          uplink: { enabled: true, bufferSize: 1000, lingerMs: 0, lingerAboveRate: 0, deliveryEvents: false, flushTimeoutMs: 1000 },
          statsIntervalMs: 5_000,
        }),
      ],
    })
    class TestModule {}
    app = await createServiceApp({ title: 'test', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
    await app.init();
    cache = app.get(RegistryCache);
    registry = new EventPublisher(app.get(MessageBus), 'device-registry');
  });

  afterAll(async () => {
    await app?.close();
  });

  const announce = (projectId: string, change: 'created' | 'updated' | 'deleted') =>
    registry.publish(RegistryProjectChanged, { projectId, change, ...(change === 'deleted' ? {} : { name: projectId }), occurredAt: new Date().toISOString() });

  const applied = async (change: string): Promise<number> => {
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    const line = res.text.split('\n').find((l) => l.startsWith('iot_gateway_registry_changes_total{') && l.includes(`change="${change}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it.each(['created', 'updated', 'deleted'] as const)('should drop the cached entries of a %s project and count it', async (change) => {
    const projectId = `gw-${randomUUID().slice(0, 8)}`;
    const other = `gw-other-${randomUUID().slice(0, 8)}`;
    await cache.put(projectId, 'credential:dev-1', 'stale');
    await cache.put(other, 'credential:dev-1', 'fresh');
    const before = await applied(change);

    await announce(projectId, change);

    await eventually(async () => expect(await cache.get(projectId, 'credential:dev-1')).toBeNull());
    // The topic is shared with suites running alongside (they create projects too): the
    // counter counts theirs as well, so this change shows as at least one more.
    await eventually(async () => expect(await applied(change)).toBeGreaterThanOrEqual(before + 1));
    expect(await cache.get(other, 'credential:dev-1')).toBe('fresh');
  });
});
