import { INestApplication } from '@nestjs/common';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { apiKeyEntryKey, deviceAuthKey } from '@iot/contracts';
import { StateStore } from '@iot/state-store';
import { bearer, operator, projectWithKey, startRegistry, unique } from '../../test/registry-app';

describe('API keys (PostgreSQL)', () => {
  let app: INestApplication;
  let http: () => request.Agent;

  beforeAll(async () => ({ app, http } = await startRegistry()));
  afterAll(async () => app?.close());

  it('should issue a key shown once, list it without the key, and store only a digest', async () => {
    const projectId = unique('proj');
    await http().post('/api/v1/projects').set(operator).send({ id: projectId, name: 'Keys' }).expect(201);
    const issued = await http().post(`/api/v1/projects/${projectId}/api-keys`).set(operator).send({ name: 'billing' }).expect(201);
    expect(issued.body).toEqual({ id: expect.any(String), projectId, name: 'billing', prefix: expect.stringMatching(/^[0-9a-f]{12}$/), createdAt: expect.any(String), key: expect.stringMatching(/^iotk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/) });
    expect(issued.body.key).toContain(issued.body.prefix);
    const listed = await http().get(`/api/v1/projects/${projectId}/api-keys`).set(operator).expect(200);
    expect(listed.body.items).toEqual([{ id: issued.body.id, projectId, name: 'billing', prefix: issued.body.prefix, createdAt: issued.body.createdAt }]);
    const [row] = await app.get(DataSource).query('SELECT key_prefix, secret_hash FROM api_keys WHERE id = $1', [issued.body.id]);
    expect(row.key_prefix).toBe(issued.body.prefix);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).not.toContain(issued.body.key.slice(18));
  });

  it('should let a project key reach its own project only, and stop working once revoked', async () => {
    const a = await projectWithKey(http);
    const b = await projectWithKey(http);
    await http().get(`/api/v1/projects/${a.projectId}/devices`).set(bearer(a.key)).expect(200);
    const other = await http().get(`/api/v1/projects/${b.projectId}/devices`).set(bearer(a.key)).expect(403);
    expect(other.body).toMatchObject({ error: 'FORBIDDEN', projectId: b.projectId });
    // Project keys are not operator keys.
    await http().get('/api/v1/projects').set(bearer(a.key)).expect(401);
    await http().post(`/api/v1/projects/${a.projectId}/api-keys`).set(bearer(a.key)).send({ name: 'escalate' }).expect(401);

    const [key] = (await http().get(`/api/v1/projects/${a.projectId}/api-keys`).set(operator).expect(200)).body.items;
    await http().delete(`/api/v1/projects/${a.projectId}/api-keys/${key.id}`).set(operator).expect(204);
    const revoked = await http().get(`/api/v1/projects/${a.projectId}/devices`).set(bearer(a.key)).expect(401);
    expect(revoked.body.error).toBe('UNAUTHENTICATED');
    await http().delete(`/api/v1/projects/${a.projectId}/api-keys/${key.id}`).set(operator).expect(404);
  });

  it('should stop a deleted project’s keys and devices everywhere: their entries leave the state store', async () => {
    const { projectId, key } = await projectWithKey(http);
    await http().post(`/api/v1/projects/${projectId}/devices`).set(bearer(key)).send({ id: 'gone-device', username: `${projectId}-user` }).expect(201);
    const state = app.get(StateStore);
    expect(await state.get(deviceAuthKey(`${projectId}-user`))).not.toBeNull();
    expect(await state.get(apiKeyEntryKey(key.split('_')[1]))).not.toBeNull();
    await http().delete(`/api/v1/projects/${projectId}`).set(operator).expect(204);
    expect(await state.get(deviceAuthKey(`${projectId}-user`))).toBeNull();
    expect(await state.get(apiKeyEntryKey(key.split('_')[1]))).toBeNull();
    await http().get(`/api/v1/projects/${projectId}/devices`).set(bearer(key)).expect(401);
  });

  it.each([
    ['no key', {}],
    ['a key-shaped token that was never issued', bearer(`iotk_0123456789ab_${'A'.repeat(43)}`)],
    ['a token of another shape', bearer('not-a-key')],
  ])('should answer 401 to %s', async (_case, headers) => {
    const { projectId } = await projectWithKey(http);
    const res = await http().get(`/api/v1/projects/${projectId}/devices`).set(headers).expect(401);
    expect(res.body.error).toBe('UNAUTHENTICATED');
  });

  it('should answer 404 for keys of a project that does not exist, and for a key id that is not one', async () => {
    const missing = unique('proj');
    const res = await http().post(`/api/v1/projects/${missing}/api-keys`).set(operator).send({ name: 'x' }).expect(404);
    expect(res.body).toMatchObject({ error: 'PROJECT_NOT_FOUND', projectId: missing });
    await http().get(`/api/v1/projects/${missing}/api-keys`).set(operator).expect(404);
    const { projectId } = await projectWithKey(http);
    const bad = await http().delete(`/api/v1/projects/${projectId}/api-keys/not-a-uuid`).set(operator).expect(404);
    expect(bad.body.error).toBe('API_KEY_NOT_FOUND');
  });

  it('should answer 400 naming the field for a bad key name', async () => {
    const { projectId } = await projectWithKey(http);
    const res = await http().post(`/api/v1/projects/${projectId}/api-keys`).set(operator).send({ name: '' }).expect(400);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual(['name']);
  });
});
