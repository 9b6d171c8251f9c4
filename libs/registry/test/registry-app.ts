import { INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { RuntimeModule, createRootLogger, createServiceApp } from '@iot/runtime';
import { clusterTestConfig } from '@iot/testing';
import { DeviceRegistryModule, registryEntities, registryMigrations } from '../src/device-registry.module';

export const OPERATOR_KEY = 'operator-key-for-tests-0123456789';
export const operator = { Authorization: `Bearer ${OPERATOR_KEY}` };
export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
export const unique = (prefix = 'it') => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The device registry on the real PostgreSQL, Kafka and Redis, as its process runs it. */
export async function startRegistry(): Promise<{ app: INestApplication; http: () => request.Agent }> {
  const config = clusterTestConfig('device-registry', { entities: registryEntities, migrations: registryMigrations });
  const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
  @Module({ imports: [RuntimeModule.forRoot(config, logger), DeviceRegistryModule.forRoot({ operatorKey: OPERATOR_KEY })] })
  class TestModule {}
  const app = await createServiceApp({ title: 'test', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
  await app.init();
  return { app, http: () => request(app.getHttpServer()) as unknown as request.Agent };
}

/** A fresh project and an API key of it. */
export async function projectWithKey(http: () => request.Agent): Promise<{ projectId: string; key: string }> {
  const projectId = unique('proj');
  await http().post('/api/v1/projects').set(operator).send({ id: projectId, name: projectId }).expect(201);
  const res = await http().post(`/api/v1/projects/${projectId}/api-keys`).set(operator).send({ name: 'tests' }).expect(201);
  return { projectId, key: res.body.key };
}
