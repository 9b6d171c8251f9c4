import { INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { BusRecord, GatewayCommand, apiKeyEntryKey, decodeRecord, encodeApiKeyEntry, issueToken } from '@iot/contracts';
import { BusSubscription, MessageBus } from '@iot/bus';
import { RuntimeModule, createRootLogger, createServiceApp } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { clusterTestConfig, eventually } from '@iot/testing';
import { CommandServiceModule, commandEntities, commandMigrations } from '../command-service.module';

const OPERATOR_KEY = 'operator-key-for-publish-tests-0123';

describe('Publish API (Kafka, Redis)', () => {
  let app: INestApplication;
  let commands: BusSubscription;
  const commanded: BusRecord[] = [];
  const projectId = `pub-${randomUUID().slice(0, 8)}`;
  let key: string;
  let otherKey: string;

  /** A live key of `project`, as the device registry records it in the state store. */
  const liveKey = async (project: string) => {
    const issued = issueToken();
    await app.get(StateStore).set(apiKeyEntryKey(issued.prefix), encodeApiKeyEntry({ projectId: project, keyId: randomUUID(), digest: issued.digest }));
    return issued.token;
  };

  beforeAll(async () => {
    const config = clusterTestConfig('command-service', { entities: commandEntities, migrations: commandMigrations });
    const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
    @Module({ imports: [RuntimeModule.forRoot(config, logger), CommandServiceModule.forRoot({ operatorKey: OPERATOR_KEY, messages: { sweepMs: 60_000, retentionDays: 30 }, batchTasks: { concurrency: 10, parallelTasks: 2 } })] })
    class TestModule {}
    app = await createServiceApp({ title: 'test', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
    await app.init();
    commands = await app.get(MessageBus).subscribe({ groupId: `publish-int-spec-${randomUUID()}`, topics: [GatewayCommand.topic], handler: async (r) => void commanded.push(r) });
    key = await liveKey(projectId);
    otherKey = await liveKey(`${projectId}-other`);
  });
  afterAll(async () => {
    await commands?.close();
    await app?.close();
  });

  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${key}` });
  const publishedTo = (topic: string) => commanded.map((r) => decodeRecord(GatewayCommand, r)).filter((c) => c.projectId === projectId && c.message?.topic === topic);

  it('should hand a message to the gateway cluster, plain or base64, with its QoS, RETAIN and properties', async () => {
    const res = await http().post(`/api/v1/projects/${projectId}/publish`).set(auth()).send({ topic: 'farms/north/cmd', payload: '{"speed":1200}', qos: 1, retain: true, properties: { contentType: 'application/json', userProperties: { source: 'billing' } } }).expect(202);
    expect(res.body).toEqual({ topic: 'farms/north/cmd', accepted: true });
    await http().post(`/api/v1/projects/${projectId}/publish`).set(auth()).send({ topic: 'farms/north/raw', payload: Buffer.from([0, 1, 255]).toString('base64'), encoding: 'base64' }).expect(202);
    const [json] = await eventually(() => {
      expect(publishedTo('farms/north/cmd')).toHaveLength(1);
      return publishedTo('farms/north/cmd');
    });
    expect(json).toMatchObject({ action: 'publish', projectId, message: { topic: 'farms/north/cmd', payload: Buffer.from('{"speed":1200}').toString('base64'), qos: 1, retain: true, contentType: 'application/json', userProperties: { source: 'billing' } } });
    const [raw] = await eventually(() => {
      expect(publishedTo('farms/north/raw')).toHaveLength(1);
      return publishedTo('farms/north/raw');
    });
    expect(Buffer.from(raw.message!.payload, 'base64')).toEqual(Buffer.from([0, 1, 255]));
    expect(raw.message).toMatchObject({ qos: 0, retain: false });
  });

  it.each([
    ['topic', { topic: 'a/+/b', payload: 'x' }],
    ['topic', { payload: 'x' }],
    ['qos', { topic: 'a', payload: 'x', qos: 3 }],
    ['encoding', { topic: 'a', payload: 'x', encoding: 'hex' }],
    ['payload', { topic: 'a', payload: 'not base64!', encoding: 'base64' }],
    ['properties.correlationData', { topic: 'a', payload: 'x', properties: { correlationData: '***' } }],
  ])('should answer 400 naming %s', async (field, body) => {
    const res = await http().post(`/api/v1/projects/${projectId}/publish`).set(auth()).send(body).expect(400);
    expect(res.body.message).toContain(field);
  });

  it('should publish a batch item by item, reporting each refused one', async () => {
    const res = await http()
      .post(`/api/v1/projects/${projectId}/publish/batch`)
      .set(auth())
      .send([{ topic: 'batch/1', payload: 'one' }, { topic: 'batch/#', payload: 'bad topic' }, 'not an object', { topic: 'batch/3', payload: '3', encoding: 'base64' }])
      .expect(200);
    expect(res.body).toEqual({
      accepted: 1,
      failed: 3,
      results: [
        { index: 0, accepted: true, topic: 'batch/1' },
        { index: 1, accepted: false, error: 'VALIDATION_FAILED', message: expect.stringContaining('wildcard') },
        { index: 2, accepted: false, error: 'VALIDATION_FAILED', message: 'each item must be an object' },
        { index: 3, accepted: false, error: 'PAYLOAD_INVALID', message: expect.stringContaining('base64') },
      ],
    });
    await eventually(() => expect(publishedTo('batch/1')).toHaveLength(1));
    for (const body of [[], {}, 'text']) {
      expect((await http().post(`/api/v1/projects/${projectId}/publish/batch`).set(auth()).send(body as object).expect(400)).body.error).toMatch(/BATCH_INVALID|VALIDATION_FAILED/);
    }
  });

  it('should admit only this project’s live keys and the operator key', async () => {
    await http().post(`/api/v1/projects/${projectId}/publish`).set({ Authorization: `Bearer ${OPERATOR_KEY}` }).send({ topic: 'op', payload: 'x' }).expect(202);
    expect((await http().post(`/api/v1/projects/${projectId}/publish`).set({ Authorization: `Bearer ${otherKey}` }).send({ topic: 'a', payload: 'x' }).expect(403)).body.error).toBe('FORBIDDEN');
    expect((await http().post(`/api/v1/projects/${projectId}/publish`).send({ topic: 'a', payload: 'x' }).expect(401)).body.error).toBe('UNAUTHENTICATED');
    const revoked = issueToken(); // never recorded: as good as revoked
    await http().post(`/api/v1/projects/${projectId}/publish`).set({ Authorization: `Bearer ${revoked.token}` }).send({ topic: 'a', payload: 'x' }).expect(401);
  });
});
