import { INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BusSubscription, MessageBus } from '@iot/bus';
import { GatewayCommand, GatewayCommandValue, decodeRecord } from '@iot/contracts';
import { RuntimeModule, createRootLogger, createServiceApp } from '@iot/runtime';
import { clusterTestConfig } from '@iot/testing';
import { CommandServiceModule, commandEntities, commandMigrations } from '../command-service.module';
import { CommandError } from './command.errors';
import { DeviceReplyRouter } from './device-reply-router';
import { DeviceRequestsService } from './device-requests.service';

describe(DeviceRequestsService.name, () => {
  let app: INestApplication;
  let db: DataSource;
  let sent: BusSubscription;
  /** What the service asked the gateway cluster to publish, and a hook to answer as a device would. */
  const published: GatewayCommandValue[] = [];
  let onPublish: (command: GatewayCommandValue) => void = () => undefined;
  const projectId = `req-${randomUUID().slice(0, 8)}`;
  const online = { enabled: true, online: true };

  const request = (timeoutMs: number) => ({ kind: 'command' as const, topicOf: (id: string) => `$oc/devices/d1/sys/commands/request_id=${id}`, payload: { command_name: 'ping' }, timeoutMs });
  const requestIdOf = (command: GatewayCommandValue) => command.message!.topic.split('request_id=')[1];
  const answer = (requestId: string, body: Record<string, unknown> = { result_code: 0 }, deviceId = 'd1') =>
    app.get(DeviceReplyRouter).route({ projectId, deviceId, requestId, kind: 'command', body, receivedAt: new Date().toISOString() });
  const statusOf = async (id: string) => (await db.query(`SELECT status, error, response FROM device_requests WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    const config = clusterTestConfig('command-service', { entities: commandEntities, migrations: commandMigrations });
    const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
    @Module({ imports: [RuntimeModule.forRoot(config, logger), CommandServiceModule.forRoot({ operatorKey: 'operator-key-for-request-tests-0123', messages: { sweepMs: 60_000, retentionDays: 30 }, batchTasks: { concurrency: 10, parallelTasks: 2 } })] })
    class TestModule {}
    app = await createServiceApp({ title: 'test', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
    await app.init();
    db = app.get(DataSource);
    await db.query(`INSERT INTO projects (id, name) VALUES ($1, $1)`, [projectId]);
    sent = await app.get(MessageBus).subscribe({
      groupId: `requests-int-spec-${randomUUID()}`,
      topics: [GatewayCommand.topic],
      handler: async (record) => {
        const command = decodeRecord(GatewayCommand, record);
        if (command.projectId !== projectId) return;
        published.push(command);
        onPublish(command);
      },
    });
  });
  afterAll(async () => {
    await sent?.close();
    await db?.query(`DELETE FROM projects WHERE id = $1`, [projectId]);
    await app?.close();
  });

  it('should send the request to the device\'s topic at QoS 1 and return its answer, completing the record once', async () => {
    onPublish = (command) => void answer(requestIdOf(command), { result_code: 0, paras: { pong: true } });
    const { id, answer: body } = await app.get(DeviceRequestsService).send(projectId, 'd1', online, request(10_000));
    expect(body).toEqual({ result_code: 0, paras: { pong: true } });
    const command = published.find((c) => requestIdOf(c) === id)!;
    expect(command.message).toMatchObject({ topic: `$oc/devices/d1/sys/commands/request_id=${id}`, qos: 1 });
    expect(JSON.parse(Buffer.from(command.message!.payload, 'base64').toString())).toEqual({ command_name: 'ping' });
    expect(await statusOf(id)).toEqual({ status: 'SUCCESSFUL', error: null, response: { result_code: 0, paras: { pong: true } } });
  });

  it('should time out with the command id, and ignore an answer that comes later or from another device', async () => {
    onPublish = (command) => void answer(requestIdOf(command), { result_code: 0 }, 'someone-else');
    const error: CommandError = await app.get(DeviceRequestsService).send(projectId, 'd1', online, request(1_000)).catch((e) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error.code).toBe('COMMAND_TIMEOUT');
    const id = error.details!.command_id as string;
    expect(await statusOf(id)).toMatchObject({ status: 'TIMEOUT', error: 'COMMAND_TIMEOUT', response: null });
    await answer(id, { result_code: 0 });
    expect(await statusOf(id)).toMatchObject({ status: 'TIMEOUT', response: null });
  });

  it('should refuse an offline or disabled device without sending anything, recording it FAILED', async () => {
    onPublish = () => undefined;
    const before = published.length;
    for (const [device, code] of [[{ enabled: true, online: false }, 'DEVICE_OFFLINE'], [{ enabled: false, online: true }, 'DEVICE_DISABLED']] as const) {
      const error: CommandError = await app.get(DeviceRequestsService).send(projectId, 'd1', device, request(1_000)).catch((e) => e);
      expect(error.code).toBe(code);
      expect(await statusOf(error.details!.command_id as string)).toMatchObject({ status: 'FAILED', error: code });
    }
    expect(published.length).toBe(before);
  });

  it('should answer 502 for an answer that is no JSON object', async () => {
    onPublish = (command) => void app.get(DeviceReplyRouter).route({ projectId, deviceId: 'd1', requestId: requestIdOf(command), kind: 'command', body: {}, error: 'INVALID_RESPONSE', receivedAt: new Date().toISOString() });
    const error: CommandError = await app.get(DeviceRequestsService).send(projectId, 'd1', online, request(10_000)).catch((e) => e);
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(await statusOf(error.details!.command_id as string)).toMatchObject({ status: 'FAILED', error: 'INVALID_RESPONSE' });
  });
});
