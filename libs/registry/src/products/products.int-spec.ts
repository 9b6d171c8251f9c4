import { INestApplication } from '@nestjs/common';
import type request from 'supertest';
import { bearer, projectWithKey, startRegistry, unique } from '../../test/registry-app';

const pumpModel = {
  services: [
    {
      serviceId: 'pump',
      description: 'The pump itself',
      properties: [
        { name: 'speed', type: 'int', access: 'RW', unit: 'rpm', min: 0, max: 3000 },
        { name: 'mode', type: 'enum', access: 'R', enumValues: ['eco', 'boost'] },
      ],
      commands: [{ name: 'set_speed', parameters: [{ name: 'rpm', type: 'int', min: 0, max: 3000, required: true }], responses: [{ name: 'result', parameters: [{ name: 'ok', type: 'boolean' }] }] }],
      events: [{ name: 'overheat', parameters: [{ name: 'temperature', type: 'decimal', unit: '°C' }] }],
    },
  ],
};

describe('Products API (PostgreSQL)', () => {
  let app: INestApplication;
  let http: () => request.Agent;
  let projectId: string;
  let auth: { Authorization: string };

  beforeAll(async () => {
    ({ app, http } = await startRegistry());
    const project = await projectWithKey(http);
    projectId = project.projectId;
    auth = bearer(project.key);
  });
  afterAll(async () => app?.close());

  const products = () => `/api/v1/projects/${projectId}/products`;

  it('should create a product with its thing model, read, list, replace and delete it', async () => {
    const id = unique('pump');
    const created = await http().post(products()).set(auth).send({ id, name: 'Water pump', model: pumpModel }).expect(201);
    expect(created.body).toEqual({ id, projectId, name: 'Water pump', model: pumpModel, createdAt: expect.any(String), updatedAt: expect.any(String) });
    await http().get(`${products()}/${id}`).set(auth).expect(200, created.body);
    expect((await http().get(products()).set(auth).expect(200)).body.items.map((p: { id: string }) => p.id)).toContain(id);
    const replaced = await http().put(`${products()}/${id}`).set(auth).send({ name: 'Water pump v2' }).expect(200);
    expect(replaced.body).toMatchObject({ id, name: 'Water pump v2', model: { services: [] } });
    await http().delete(`${products()}/${id}`).set(auth).expect(204);
    const gone = await http().get(`${products()}/${id}`).set(auth);
    expect([gone.status, gone.body]).toEqual([404, expect.objectContaining({ error: 'PRODUCT_NOT_FOUND' })]);
  });

  it('should generate an id, and answer 409 for a taken one', async () => {
    const generated = await http().post(products()).set(auth).send({ name: 'Generated' }).expect(201);
    expect(generated.body.id).toMatch(/^prod-[0-9a-f]{10}$/);
    expect((await http().post(products()).set(auth).send({ id: generated.body.id, name: 'Again' }).expect(409)).body.error).toBe('PRODUCT_EXISTS');
  });

  it('should give devices a product, and refuse to delete a product in use', async () => {
    const id = unique('valve');
    await http().post(products()).set(auth).send({ id, name: 'Valve' }).expect(201);
    const device = unique('dev');
    await http().post(`/api/v1/projects/${projectId}/devices`).set(auth).send({ id: device, productId: id }).expect(201);
    expect((await http().get(`/api/v1/projects/${projectId}/devices?productId=${id}`).set(auth).expect(200)).body.items.map((d: { id: string }) => d.id)).toEqual([device]);
    expect((await http().delete(`${products()}/${id}`).set(auth).expect(409)).body).toMatchObject({ error: 'PRODUCT_IN_USE', productId: id });
    await http().delete(`/api/v1/projects/${projectId}/devices/${device}`).set(auth).expect(204);
    await http().delete(`${products()}/${id}`).set(auth).expect(204);
  });

  it.each([
    ['model.services.0.properties.0.type', { services: [{ serviceId: 's', properties: [{ name: 'p', type: 'float', access: 'R' }] }] }],
    ['model.services.0.properties.0.access', { services: [{ serviceId: 's', properties: [{ name: 'p', type: 'int', access: 'X' }] }] }],
    ['model.services.0.serviceId', { services: [{ serviceId: '1 bad' }] }],
    ['model.services.0.commands.0.parameters.0.name', { services: [{ serviceId: 's', commands: [{ name: 'c', parameters: [{ name: '', type: 'int' }] }] }] }],
    ['model.services', { services: 'all of them' }],
  ])('should answer 400 naming %s', async (field, model) => {
    const res = await http().post(products()).set(auth).send({ name: 'Bad', model }).expect(400);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it.each([
    ['model.services[1].serviceId', { services: [{ serviceId: 's' }, { serviceId: 's' }] }],
    ['model.services[0].properties[1].name', { services: [{ serviceId: 's', properties: [{ name: 'p', type: 'int', access: 'R' }, { name: 'p', type: 'int', access: 'R' }] }] }],
    ['model.services[0].properties[0].enumValues', { services: [{ serviceId: 's', properties: [{ name: 'p', type: 'enum', access: 'R' }] }] }],
    ['model.services[0].events[0].parameters[0].max', { services: [{ serviceId: 's', events: [{ name: 'e', parameters: [{ name: 'v', type: 'int', min: 5, max: 1 }] }] }] }],
  ])('should answer 400 INVALID_THING_MODEL naming %s', async (field, model) => {
    const res = await http().post(products()).set(auth).send({ name: 'Bad', model }).expect(400);
    expect(res.body).toMatchObject({ error: 'INVALID_THING_MODEL', fields: [{ field }] });
    expect(res.body.message).toContain(field);
  });
});
