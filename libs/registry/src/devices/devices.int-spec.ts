import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { BusRecord, RegistryDeviceChanged, RegistryDeviceChangedValue, decodeRecord, verifyPassword } from '@iot/contracts';
import { BusSubscription, MessageBus } from '@iot/bus';
import { eventually } from '@iot/testing';
import { bearer, operator, projectWithKey, startRegistry, unique } from '../../test/registry-app';

describe('Devices API (PostgreSQL, Kafka)', () => {
  let app: INestApplication;
  let http: () => request.Agent;
  let events: BusSubscription;
  const announced: BusRecord[] = [];
  let projectId: string;
  let auth: { Authorization: string };

  beforeAll(async () => {
    ({ app, http } = await startRegistry());
    events = await app.get(MessageBus).subscribe({
      groupId: `devices-int-spec-${randomUUID()}`,
      topics: [RegistryDeviceChanged.topic],
      handler: async (record) => void announced.push(record),
    });
    const project = await projectWithKey(http);
    projectId = project.projectId;
    auth = bearer(project.key);
  });

  afterAll(async () => {
    await events?.close();
    await app?.close();
  });

  const devices = () => `/api/v1/projects/${projectId}/devices`;
  const changesOf = (deviceId: string): RegistryDeviceChangedValue[] =>
    announced.filter((r) => r.key === `${projectId}/${deviceId}`).map((r) => decodeRecord(RegistryDeviceChanged, r));

  it('should create a device with defaults (name and username = id, enabled) and read it back', async () => {
    const id = unique('dev');
    const res = await http().post(devices()).set(auth).send({ id, tags: ['north'] }).expect(201);
    expect(res.body).toEqual({ id, projectId, name: id, productId: null, username: id, tags: ['north'], enabled: true, createdAt: expect.any(String), updatedAt: expect.any(String) });
    await http().get(`${devices()}/${id}`).set(auth).expect(200, res.body);
  });

  it('should generate an id when none is given', async () => {
    const res = await http().post(devices()).set(auth).send({ name: 'Anonymous pump' }).expect(201);
    expect(res.body.id).toMatch(/^d-[0-9a-f]{12}$/);
    expect(res.body.username).toBe(res.body.id);
  });

  it('should answer 409 for a taken id (DEVICE_EXISTS) and a username taken in ANY project (USERNAME_TAKEN)', async () => {
    const id = unique('dev');
    await http().post(devices()).set(auth).send({ id }).expect(201);
    expect((await http().post(devices()).set(auth).send({ id, username: unique('u') }).expect(409)).body).toMatchObject({ error: 'DEVICE_EXISTS', deviceId: id });
    const other = await projectWithKey(http);
    const taken = await http().post(`/api/v1/projects/${other.projectId}/devices`).set(bearer(other.key)).send({ id: unique('dev'), username: id }).expect(409);
    expect(taken.body).toMatchObject({ error: 'USERNAME_TAKEN', username: id });
    // The same id in another project is another device.
    await http().post(`/api/v1/projects/${other.projectId}/devices`).set(bearer(other.key)).send({ id, username: unique('u') }).expect(201);
  });

  it('should answer 400 naming every bad field, and for a product that does not exist', async () => {
    const res = await http().post(devices()).set(auth).send({ id: 'has/slash', username: 'has space', tags: ['ok', ''], enabled: 'yes', colour: 'red' }).expect(400);
    expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['colour', 'enabled', 'id', 'tags', 'username']);
    const product = await http().post(devices()).set(auth).send({ id: unique('dev'), productId: 'no-such-product' }).expect(400);
    expect(product.body).toMatchObject({ error: 'UNKNOWN_PRODUCT', fields: [{ field: 'productId' }] });
  });

  it('should filter by tag, enabled and text (literally), and page', async () => {
    const tag = unique('tag');
    const ids = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
    await http().post(devices()).set(auth).send({ id: ids[0], name: 'Pump 100% north', tags: [tag] }).expect(201);
    await http().post(devices()).set(auth).send({ id: ids[1], name: 'Valve', tags: [tag], enabled: false }).expect(201);
    await http().post(devices()).set(auth).send({ id: ids[2], name: 'Pump south', tags: [tag] }).expect(201);
    const list = async (query: string) => (await http().get(`${devices()}?${query}`).set(auth).expect(200)).body;
    expect((await list(`tag=${tag}`)).items.map((d: { id: string }) => d.id)).toEqual(ids);
    expect((await list(`tag=${tag}&enabled=false`)).items.map((d: { id: string }) => d.id)).toEqual([ids[1]]);
    expect((await list(`tag=${tag}&q=pump`)).items.map((d: { id: string }) => d.id)).toEqual([ids[0], ids[2]]);
    expect((await list(`tag=${tag}&q=100%25`)).items.map((d: { id: string }) => d.id)).toEqual([ids[0]]);
    expect((await list(`tag=${tag}&q=_`)).items).toEqual([]); // _ is a character, not a wildcard
    const page = await list(`tag=${tag}&limit=2&offset=1`);
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.items.map((d: { id: string }) => d.id)).toEqual([ids[1], ids[2]]);
    expect((await http().get(`${devices()}?enabled=maybe`).set(auth).expect(400)).body.message).toMatch(/^enabled: /);
  });

  it('should update a device (PATCH) and delete it, then answer 404', async () => {
    const id = unique('dev');
    await http().post(devices()).set(auth).send({ id }).expect(201);
    const patched = await http().patch(`${devices()}/${id}`).set(auth).send({ name: 'Renamed', tags: ['x'], enabled: false, username: `${id}-u` }).expect(200);
    expect(patched.body).toMatchObject({ id, name: 'Renamed', tags: ['x'], enabled: false, username: `${id}-u` });
    await http().delete(`${devices()}/${id}`).set(auth).expect(204);
    expect((await http().get(`${devices()}/${id}`).set(auth).expect(404)).body).toMatchObject({ error: 'DEVICE_NOT_FOUND', deviceId: id });
    await http().patch(`${devices()}/${id}`).set(auth).send({ name: 'ghost' }).expect(404);
    await http().delete(`${devices()}/${id}`).set(auth).expect(404);
  });

  it('should generate a password returned once and store only a slow salted hash of it', async () => {
    const id = unique('dev');
    await http().post(devices()).set(auth).send({ id }).expect(201);
    const res = await http().put(`${devices()}/${id}/credentials`).set(auth).send({}).expect(200);
    expect(res.body).toEqual({ username: id, password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/), notBefore: null, notAfter: null, rotatedAt: expect.any(String) });
    const [row] = await app.get(DataSource).query('SELECT password_hash FROM device_credentials WHERE project_id = $1 AND device_id = $2', [projectId, id]);
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(res.body.password);
    await expect(verifyPassword(res.body.password, row.password_hash)).resolves.toBe(true);

    // Rotation with a given password and a validity window: not echoed back.
    const rotated = await http().put(`${devices()}/${id}/credentials`).set(auth).send({ password: 'a-given-password', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' }).expect(200);
    expect(rotated.body).toEqual({ username: id, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', rotatedAt: expect.any(String) });
    const [after] = await app.get(DataSource).query('SELECT password_hash FROM device_credentials WHERE project_id = $1 AND device_id = $2', [projectId, id]);
    await expect(verifyPassword('a-given-password', after.password_hash)).resolves.toBe(true);
    await expect(verifyPassword(res.body.password, after.password_hash)).resolves.toBe(false);
  });

  it('should answer 400 for a bad password or window, 404 for a device that does not exist', async () => {
    const id = unique('dev');
    await http().post(devices()).set(auth).send({ id }).expect(201);
    expect((await http().put(`${devices()}/${id}/credentials`).set(auth).send({ password: 'short' }).expect(400)).body.fields[0].field).toBe('password');
    expect((await http().put(`${devices()}/${id}/credentials`).set(auth).send({ notAfter: 'tomorrow' }).expect(400)).body.fields[0].field).toBe('notAfter');
    const window = await http().put(`${devices()}/${id}/credentials`).set(auth).send({ notBefore: '2027-01-01T00:00:00Z', notAfter: '2026-01-01T00:00:00Z' }).expect(400);
    expect(window.body).toMatchObject({ error: 'INVALID_VALIDITY', fields: [{ field: 'notAfter' }] });
    await http().put(`${devices()}/${unique('dev')}/credentials`).set(auth).send({}).expect(404);
  });

  it('should announce every change keyed by device, without secrets', async () => {
    const id = unique('dev');
    await http().post(devices()).set(auth).send({ id }).expect(201);
    await http().patch(`${devices()}/${id}`).set(auth).send({ enabled: false }).expect(200);
    await http().put(`${devices()}/${id}/credentials`).set(auth).send({ password: 'announced-password' }).expect(200);
    await http().delete(`${devices()}/${id}`).set(auth).expect(204);
    const changes = await eventually(() => {
      expect(changesOf(id)).toHaveLength(4);
      return changesOf(id);
    });
    const at = expect.any(String);
    expect(changes).toEqual([
      { projectId, deviceId: id, change: 'created', username: id, enabled: true, occurredAt: at },
      { projectId, deviceId: id, change: 'updated', username: id, enabled: false, occurredAt: at },
      { projectId, deviceId: id, change: 'credentials', username: id, enabled: false, occurredAt: at },
      { projectId, deviceId: id, change: 'deleted', occurredAt: at },
    ]);
    const raw = announced.filter((r) => r.key === `${projectId}/${id}`).map((r) => r.value!.toString()).join();
    expect(raw).not.toContain('announced-password');
    expect(raw).not.toContain('scrypt');
  });

  it('should let only this project’s key or the operator in', async () => {
    const other = await projectWithKey(http);
    await http().get(devices()).set(bearer(other.key)).expect(403);
    await http().post(devices()).set(bearer(other.key)).send({}).expect(403);
    await http().get(devices()).set(operator).expect(200);
    await http().get(devices()).expect(401);
  });
});
