import { INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { BusRecord, Headers, RegistryProjectChanged, RegistryProjectChangedValue, decodeRecord } from '@iot/contracts';
import { BusSubscription, MessageBus } from '@iot/bus';
import { RuntimeModule, createRootLogger, createServiceApp } from '@iot/runtime';
import { clusterTestConfig, eventually } from '@iot/testing';
import { DeviceRegistryModule, registryEntities, registryMigrations } from '../device-registry.module';

const OPERATOR_KEY = 'operator-key-for-tests-0123456789';

describe('Projects API (PostgreSQL, Kafka, Redis)', () => {
  let app: INestApplication;
  let events: BusSubscription;
  const announced: BusRecord[] = [];
  const auth = { Authorization: `Bearer ${OPERATOR_KEY}` };
  const unique = () => `it-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const config = clusterTestConfig('device-registry', { entities: registryEntities, migrations: registryMigrations });
    const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
    @Module({ imports: [RuntimeModule.forRoot(config, logger), DeviceRegistryModule.forRoot({ operatorKey: OPERATOR_KEY })] })
    class TestModule {}
    app = await createServiceApp({ title: 'test', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
    await app.init();
    // Read what the registry announces, from the real Kafka, as any other service would.
    events = await app.get(MessageBus).subscribe({
      groupId: `registry-int-spec-${randomUUID()}`,
      topics: [RegistryProjectChanged.topic],
      handler: async (record) => void announced.push(record),
    });
  });

  afterAll(async () => {
    await events?.close();
    await app?.close();
  });

  const changesOf = (projectId: string): RegistryProjectChangedValue[] =>
    announced.filter((r) => r.key === projectId).map((r) => decodeRecord(RegistryProjectChanged, r));

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

  describe('registry.project.changed.v1', () => {
    it('should announce creation and deletion, keyed by project, from the device registry', async () => {
      const id = unique();
      await http().post('/api/v1/projects').set(auth).send({ id, name: 'Announced' }).expect(201);
      await http().delete(`/api/v1/projects/${id}`).set(auth).expect(204);
      const changes = await eventually(() => {
        expect(changesOf(id)).toHaveLength(2);
        return changesOf(id);
      });
      expect(changes).toEqual([
        { projectId: id, change: 'created', name: 'Announced', occurredAt: expect.any(String) },
        { projectId: id, change: 'deleted', occurredAt: expect.any(String) },
      ]);
      expect(announced.find((r) => r.key === id)!.headers[Headers.Producer]).toBe('device-registry');
    });

    it('should announce nothing for a refused request', async () => {
      const id = unique();
      await http().post('/api/v1/projects').set(auth).send({ id, name: 'First' }).expect(201);
      await http().post('/api/v1/projects').set(auth).send({ id, name: 'Duplicate' }).expect(409);
      await http().delete(`/api/v1/projects/${unique()}`).set(auth).expect(404);
      await eventually(() => expect(changesOf(id)).toHaveLength(1));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(changesOf(id).map((c) => c.name)).toEqual(['First']);
    });
  });
});
