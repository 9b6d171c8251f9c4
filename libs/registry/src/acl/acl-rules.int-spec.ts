import { INestApplication } from '@nestjs/common';
import type request from 'supertest';
import { decodeProjectAcl, projectAclKey } from '@iot/contracts';
import { StateStore } from '@iot/state-store';
import { bearer, operator, projectWithKey, startRegistry, unique } from '../../test/registry-app';

describe('ACL rules API (PostgreSQL, Redis)', () => {
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

  const rules = () => `/api/v1/projects/${projectId}/acl-rules`;
  const view = async () => decodeProjectAcl((await app.get(StateStore).get(projectAclKey(projectId)))!);

  it('should give a new project an ACL that denies by default, for the gateways too', async () => {
    expect((await http().get(`/api/v1/projects/${projectId}/acl-default`).set(auth).expect(200)).body).toEqual({ permission: 'deny' });
    expect(await view()).toEqual({ default: 'deny', rules: [] });
  });

  it('should create, read, replace and delete rules, listing them in evaluation order', async () => {
    const late = await http().post(rules()).set(auth).send({ who: 'all', action: 'subscribe', topic: 'news/#', permission: 'allow', priority: 50 }).expect(201);
    expect(late.body).toEqual({ id: expect.any(String), projectId, who: 'all', action: 'subscribe', topic: 'news/#', permission: 'allow', priority: 50, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const early = await http().post(rules()).set(auth).send({ who: { device: 'pump-1' }, action: 'publish', topic: 'farms/${deviceId}/#', permission: 'allow', priority: 1 }).expect(201);
    const byDefault = await http().post(rules()).set(auth).send({ who: { username: 'u' }, action: 'all', topic: 'x/${username}', permission: 'deny' }).expect(201);
    expect(byDefault.body.priority).toBe(100);
    const list = (await http().get(rules()).set(auth).expect(200)).body.items.map((r: { id: string }) => r.id);
    expect(list).toEqual([early.body.id, late.body.id, byDefault.body.id]);
    expect(await view()).toEqual({
      default: 'deny',
      rules: [
        { whoType: 'device', whoValue: 'pump-1', action: 'publish', topic: 'farms/${deviceId}/#', permission: 'allow' },
        { whoType: 'all', action: 'subscribe', topic: 'news/#', permission: 'allow' },
        { whoType: 'username', whoValue: 'u', action: 'all', topic: 'x/${username}', permission: 'deny' },
      ],
    });

    const replaced = await http().put(`${rules()}/${late.body.id}`).set(auth).send({ who: { clientid: 'c-9' }, action: 'publish', topic: 'c/${clientid}', permission: 'deny', priority: 200 }).expect(200);
    expect(replaced.body).toMatchObject({ id: late.body.id, who: { clientid: 'c-9' }, action: 'publish', topic: 'c/${clientid}', permission: 'deny', priority: 200 });
    await http().get(`${rules()}/${late.body.id}`).set(auth).expect(200, replaced.body);
    await http().delete(`${rules()}/${late.body.id}`).set(auth).expect(204);
    await http().get(`${rules()}/${late.body.id}`).set(auth).expect(404);
    expect((await view())!.rules.map((r) => r.topic)).toEqual(['farms/${deviceId}/#', 'x/${username}']);
  });

  it('should set the default, for the gateways too', async () => {
    await http().put(`/api/v1/projects/${projectId}/acl-default`).set(auth).send({ permission: 'allow' }).expect(200, { permission: 'allow' });
    expect((await view())!.default).toBe('allow');
    await http().put(`/api/v1/projects/${projectId}/acl-default`).set(auth).send({ permission: 'deny' }).expect(200);
    expect((await http().put(`/api/v1/projects/${projectId}/acl-default`).set(auth).send({ permission: 'maybe' }).expect(400)).body.fields[0].field).toBe('permission');
  });

  it.each([
    ['who', { who: 'everyone' }],
    ['who', { who: { device: 'a', username: 'b' } }],
    ['who', { who: { group: 'a' } }],
    ['action', { action: 'read' }],
    ['permission', { permission: 'maybe' }],
    ['topic', { topic: 'a/#/b' }],
    ['topic', { topic: 'a/b+' }],
    ['topic', { topic: 'a/${password}' }],
    ['priority', { priority: 0 }],
  ])('should answer 400 naming %s for %p', async (field, change) => {
    const res = await http().post(rules()).set(auth).send({ who: 'all', action: 'publish', topic: 'a/b', permission: 'allow', ...change }).expect(400);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it('should answer 404 for a rule that does not exist or an id that is not one, and keep projects apart', async () => {
    await http().get(`${rules()}/00000000-0000-4000-8000-000000000000`).set(auth).expect(404);
    expect((await http().put(`${rules()}/not-a-uuid`).set(auth).send({ who: 'all', action: 'publish', topic: 'a', permission: 'allow' }).expect(404)).body.error).toBe('ACL_RULE_NOT_FOUND');
    const other = await projectWithKey(http);
    await http().get(rules()).set(bearer(other.key)).expect(403);
    const mine = await http().post(rules()).set(auth).send({ who: 'all', action: 'publish', topic: 'mine', permission: 'allow' }).expect(201);
    await http().get(`/api/v1/projects/${other.projectId}/acl-rules/${mine.body.id}`).set(bearer(other.key)).expect(404);
    await http().get(`/api/v1/projects/${unique('proj')}/acl-rules`).set(operator).expect(404);
  });
});
