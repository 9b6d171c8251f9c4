import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { BusRecord, GatewayClientEventValue, GatewayCommand, decodeRecord } from '@iot/contracts';
import { BusSubscription, MessageBus } from '@iot/bus';
import { eventually } from '@iot/testing';
import { bearer, projectWithKey, startRegistry, unique } from '../../test/registry-app';
import { PresenceWriter } from './presence-writer';

describe('Presence, connection history and kick (PostgreSQL, Kafka)', () => {
  let app: INestApplication;
  let http: () => request.Agent;
  let writer: PresenceWriter;
  let projectId: string;
  let auth: { Authorization: string };
  let commands: BusSubscription;
  const commanded: BusRecord[] = [];

  beforeAll(async () => {
    ({ app, http } = await startRegistry());
    writer = app.get(PresenceWriter);
    const project = await projectWithKey(http);
    projectId = project.projectId;
    auth = bearer(project.key);
    commands = await app.get(MessageBus).subscribe({ groupId: `presence-int-spec-${randomUUID()}`, topics: [GatewayCommand.topic], handler: async (r) => void commanded.push(r) });
  });
  afterAll(async () => {
    await commands?.close();
    await app?.close();
  });

  const device = () => `/api/v1/projects/${projectId}/devices`;
  const newDevice = async () => {
    const id = unique('dev');
    await http().post(device()).set(auth).send({ id }).expect(201);
    return id;
  };
  const at = (second: number) => new Date(Date.UTC(2026, 10, 23, 10, 0, second)).toISOString();
  const event = (deviceId: string, type: 'connected' | 'disconnected', connectionId: string, second: number, extra: Partial<GatewayClientEventValue> = {}): GatewayClientEventValue => ({
    type,
    projectId,
    clientId: `${deviceId}-client`,
    deviceId,
    node: connectionId.split(':')[0],
    connectionId,
    occurredAt: at(second),
    ...(type === 'connected' ? { peerAddress: '10.0.0.7:5000', protocolVersion: 5, cleanStart: true } : { reason: 'client disconnected' }),
    ...extra,
  });
  const status = async (deviceId: string) => (await http().get(`${device()}/${deviceId}/status`).set(auth).expect(200)).body;

  it('should report a device never seen as offline, and one connected with where and since when', async () => {
    const id = await newDevice();
    expect(await status(id)).toEqual({ online: false, node: null, clientId: null, connectedAt: null, disconnectedAt: null, peerAddress: null, protocolVersion: null });
    await writer.apply(event(id, 'connected', 'gw-a:1', 1));
    expect(await status(id)).toEqual({ online: true, node: 'gw-a', clientId: `${id}-client`, connectedAt: at(1), disconnectedAt: null, peerAddress: '10.0.0.7:5000', protocolVersion: 5 });
  });

  it('should never let a late disconnect of an old connection, or a late connect, undo a newer connection', async () => {
    const id = await newDevice();
    await writer.apply(event(id, 'connected', 'gw-a:1', 1));
    await writer.apply(event(id, 'connected', 'gw-b:7', 5)); // taken over on another node
    await writer.apply(event(id, 'disconnected', 'gw-a:1', 6, { reason: 'session taken over' })); // late
    expect(await status(id)).toMatchObject({ online: true, node: 'gw-b', connectedAt: at(5) });
    await writer.apply(event(id, 'connected', 'gw-a:0', 0)); // an even older connect, arriving last
    expect(await status(id)).toMatchObject({ online: true, node: 'gw-b' });
    await writer.apply(event(id, 'disconnected', 'gw-b:7', 9, { reason: 'keepalive timeout' }));
    expect(await status(id)).toMatchObject({ online: false, node: 'gw-b', disconnectedAt: at(9) });
  });

  it('should keep the connection history newest first, once per event however often it is consumed', async () => {
    const id = await newDevice();
    const connected = event(id, 'connected', 'gw-a:3', 1);
    await writer.apply(connected);
    await writer.apply(connected); // at least once
    await writer.apply(event(id, 'disconnected', 'gw-a:3', 2, { reason: 'keepalive timeout' }));
    const page = (await http().get(`${device()}/${id}/connection-history`).set(auth).expect(200)).body;
    expect(page).toEqual({
      total: 2,
      limit: 50,
      offset: 0,
      items: [
        { event: 'disconnected', occurredAt: at(2), clientId: `${id}-client`, node: 'gw-a', reason: 'keepalive timeout', peerAddress: null, protocolVersion: null },
        { event: 'connected', occurredAt: at(1), clientId: `${id}-client`, node: 'gw-a', reason: null, peerAddress: '10.0.0.7:5000', protocolVersion: 5 },
      ],
    });
    expect((await http().get(`${device()}/${id}/connection-history?limit=1&offset=1`).set(auth).expect(200)).body.items.map((e: { event: string }) => e.event)).toEqual(['connected']);
  });

  it('should skip clients that are no registry device, and devices that do not exist (any more)', async () => {
    await writer.apply({ ...event('x', 'connected', 'gw-a:9', 1), deviceId: undefined });
    await writer.apply(event(unique('ghost'), 'connected', 'gw-a:10', 1));
    await http().get(`${device()}/${unique('ghost')}/status`).set(auth).expect(404);
  });

  it('should list devices by status', async () => {
    const tag = unique('tag');
    const [on, off] = [`${tag}-on`, `${tag}-off`];
    await http().post(device()).set(auth).send({ id: on, tags: [tag] }).expect(201);
    await http().post(device()).set(auth).send({ id: off, tags: [tag] }).expect(201);
    await writer.apply(event(on, 'connected', `gw-a:${tag}`, 1));
    const ids = async (status: string) => (await http().get(`${device()}?tag=${tag}&status=${status}`).set(auth).expect(200)).body.items.map((d: { id: string }) => d.id);
    expect(await ids('online')).toEqual([on]);
    expect(await ids('offline')).toEqual([off]);
    await http().get(`${device()}?status=sleeping`).set(auth).expect(400);
  });

  it('should kick an online device through the gateway cluster, and answer 404 for an offline one', async () => {
    const id = await newDevice();
    expect((await http().delete(`${device()}/${id}/connection`).set(auth).expect(404)).body.error).toBe('DEVICE_OFFLINE');
    await writer.apply(event(id, 'connected', `gw-a:${id}`, 1));
    await http().delete(`${device()}/${id}/connection`).set(auth).expect(204);
    const kick = await eventually(() => {
      const found = commanded.map((r) => decodeRecord(GatewayCommand, r)).find((c) => c.clientId === `${id}-client`);
      expect(found).toBeDefined();
      return found!;
    });
    expect(kick).toMatchObject({ action: 'kick', projectId, clientId: `${id}-client` });
  });

  it('should list a session’s subscriptions as the gateways report them, empty them on a clean start', async () => {
    const id = await newDevice();
    await writer.apply(event(id, 'connected', `gw-a:${id}-1`, 1, { cleanStart: false }));
    await writer.apply({ ...event(id, 'connected', `gw-a:${id}-1`, 1), type: 'subscribed', topic: 'a/+', qos: 1 });
    await writer.apply({ ...event(id, 'connected', `gw-a:${id}-1`, 1), type: 'subscribed', topic: 'b/#', qos: 0 });
    await writer.apply({ ...event(id, 'connected', `gw-a:${id}-1`, 1), type: 'unsubscribed', topic: 'b/#' });
    const list = async () => (await http().get(`${device()}/${id}/subscriptions`).set(auth).expect(200)).body.items;
    expect(await list()).toEqual([{ topic: 'a/+', qos: 1 }]);
    await writer.apply(event(id, 'connected', `gw-a:${id}-2`, 5, { cleanStart: true }));
    expect(await list()).toEqual([]);
  });

  it('should subscribe and unsubscribe a device through the gateway cluster (proxy subscriptions)', async () => {
    const id = await newDevice();
    const subs = `${device()}/${id}/subscriptions`;
    expect((await http().post(subs).set(auth).send({ topic: 'news/#', qos: 1 }).expect(404)).body.error).toBe('DEVICE_NEVER_CONNECTED');
    await writer.apply(event(id, 'connected', `gw-a:${id}`, 1));
    await writer.apply(event(id, 'disconnected', `gw-a:${id}`, 2)); // a persistent session, parked
    expect((await http().post(subs).set(auth).send({ topic: 'news/#', qos: 1 }).expect(201)).body).toEqual({ topic: 'news/#', qos: 1 });
    expect((await http().get(subs).set(auth).expect(200)).body.items).toEqual([{ topic: 'news/#', qos: 1 }]);
    await http().delete(`${subs}/${encodeURIComponent('news/#')}`).set(auth).expect(204);
    expect((await http().get(subs).set(auth).expect(200)).body.items).toEqual([]);
    await http().delete(`${subs}/${encodeURIComponent('news/#')}`).set(auth).expect(404);
    const sent = await eventually(() => {
      const mine = commanded.map((r) => decodeRecord(GatewayCommand, r)).filter((c) => c.clientId === `${id}-client`);
      expect(mine).toHaveLength(2);
      return mine;
    });
    expect(sent).toEqual([
      expect.objectContaining({ action: 'subscribe', filter: 'news/#', qos: 1 }),
      expect.objectContaining({ action: 'unsubscribe', filter: 'news/#' }),
    ]);
    for (const bad of [{ topic: 'a/#/b', qos: 0 }, { topic: 'a', qos: 3 }, { qos: 1 }]) {
      await http().post(subs).set(auth).send(bad).expect(400);
    }
  });
});
