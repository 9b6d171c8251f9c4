import { INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MqttGatewayModule, RegistryCache } from '@iot/gateway';
import { RuntimeModule, createRootLogger, createServiceApp } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { clusterTestConfig, eventually } from '@iot/testing';
import { DeviceRegistryModule, registryEntities, registryMigrations } from '../device-registry.module';

const OPERATOR_KEY = 'operator-key-for-tests-0123456789';

describe('Projects API (PostgreSQL, Kafka, Redis)', () => {
  let app: INestApplication;
  let state: StateStore;
  const auth = { Authorization: `Bearer ${OPERATOR_KEY}` };
  const unique = () => `it-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    // The registry and a gateway in one app, talking through the real Kafka as they do across processes.
    const config = clusterTestConfig('device-registry', { entities: registryEntities, migrations: registryMigrations });
    const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
    @Module({ imports: [RuntimeModule.forRoot(config, logger), DeviceRegistryModule.forRoot({ operatorKey: OPERATOR_KEY }), MqttGatewayModule] })
    class TestModule {}
    app = await createServiceApp({ title: 'test', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
    await app.init();
    state = app.get(StateStore);
  });

  afterAll(async () => {
    await app?.close();
  });

  const http = () => request(app.getHttpServer());

  describe('POST /api/v1/projects', () => {
    it('should create a project with the given id and return it', async () => {
      const id = unique();
      const res = await http().post('/api/v1/projects').set(auth).send({ id, name: 'Farm' }).expect(201);
      expect(res.body).toEqual({ id, name: 'Farm', createdAt: expect.any(String), updatedAt: expect.any(String) });
      await http().get(`/api/v1/projects/${id}`).set(auth).expect(200, res.body);
    });

    it('should generate an id when none is given', async () => {
      const res = await http().post('/api/v1/projects').set(auth).send({ name: 'Generated' }).expect(201);
      expect(res.body.id).toMatch(/^p-[0-9a-f]{12}$/);
    });

    it('should answer 409 for an id that exists', async () => {
      const id = unique();
      await http().post('/api/v1/projects').set(auth).send({ id, name: 'One' }).expect(201);
      const res = await http().post('/api/v1/projects').set(auth).send({ id, name: 'Two' }).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'PROJECT_EXISTS', projectId: id });
    });

    it('should answer 400 naming every bad field', async () => {
      const res = await http().post('/api/v1/projects').set(auth).send({ id: 'has space', name: '', colour: 'red' }).expect(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
      expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['colour', 'id', 'name']);
      expect(res.body.message).toMatch(/id: /);
    });

    it('should answer 400 for a body that is not JSON', async () => {
      await http().post('/api/v1/projects').set(auth).set('content-type', 'application/json').send('{"id":').expect(400);
    });

    it.each([
      ['no key', {}],
      ['a wrong key', { Authorization: 'Bearer not-the-operator-key' }],
      ['a malformed header', { Authorization: OPERATOR_KEY }],
    ])('should answer 401 with %s', async (_case, headers) => {
      const res = await http().post('/api/v1/projects').set(headers).send({ name: 'x' }).expect(401);
      expect(res.body.error).toBe('UNAUTHENTICATED');
    });
  });

  describe('GET /api/v1/projects', () => {
    it('should page through projects', async () => {
      for (let i = 0; i < 3; i++) await http().post('/api/v1/projects').set(auth).send({ name: `page-${i}` }).expect(201);
      const first = await http().get('/api/v1/projects?limit=2&offset=0').set(auth).expect(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body).toMatchObject({ limit: 2, offset: 0 });
      expect(first.body.total).toBeGreaterThanOrEqual(3);
      const second = await http().get('/api/v1/projects?limit=2&offset=2').set(auth).expect(200);
      expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    });

    it('should answer 400 for a bad page size', async () => {
      const res = await http().get('/api/v1/projects?limit=0').set(auth).expect(400);
      expect(res.body.message).toMatch(/^limit: /);
    });
  });

  describe('DELETE /api/v1/projects/:projectId', () => {
    it('should delete, then answer 404', async () => {
      const id = unique();
      await http().post('/api/v1/projects').set(auth).send({ id, name: 'Doomed' }).expect(201);
      await http().delete(`/api/v1/projects/${id}`).set(auth).expect(204);
      await http().get(`/api/v1/projects/${id}`).set(auth).expect(404);
      const res = await http().delete(`/api/v1/projects/${id}`).set(auth).expect(404);
      expect(res.body).toMatchObject({ error: 'PROJECT_NOT_FOUND', projectId: id });
    });
  });

  describe('registry changes reaching the gateway over Kafka', () => {
    it('should drop the gateway cache of a project when it is created and when it is deleted', async () => {
      const id = unique();
      const cache = app.get(RegistryCache);
      await cache.put(id, 'credential:dev-1', 'stale');
      await http().post('/api/v1/projects').set(auth).send({ id, name: 'Cached' }).expect(201);
      await eventually(async () => expect(await cache.get(id, 'credential:dev-1')).toBeNull());

      await cache.put(id, 'credential:dev-1', 'stale again');
      await http().delete(`/api/v1/projects/${id}`).set(auth).expect(204);
      await eventually(async () => expect(await state.hashGetAll(RegistryCache.keyOf(id))).toEqual({}));
    });

    it('should count applied changes in the gateway metrics', async () => {
      const before = await appliedChanges('created');
      await http().post('/api/v1/projects').set(auth).send({ name: 'Counted' }).expect(201);
      await eventually(async () => expect(await appliedChanges('created')).toBe(before + 1));
    });
  });

  async function appliedChanges(change: string): Promise<number> {
    const res = await http().get('/metrics').expect(200);
    const line = res.text.split('\n').find((l) => l.startsWith('iot_gateway_registry_changes_total{') && l.includes(`change="${change}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  }
});
