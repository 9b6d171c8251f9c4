import { INestApplication, Module } from '@nestjs/common';
import request from 'supertest';
import { MessageBus } from '@iot/bus';
import { StateStore } from '@iot/state-store';
import { createRootLogger } from '../logging/root-logger';
import { RuntimeConfig } from '../runtime-config';
import { RuntimeModule } from '../runtime.module';
import { createServiceApp } from '../bootstrap';

const config: RuntimeConfig = {
  service: 'health-spec',
  nodeId: 'n1',
  http: { host: '127.0.0.1', port: 0 },
  logLevel: 'silent',
  shutdownTimeoutMs: 1_000,
  bus: { driver: 'in-process' },
  state: { driver: 'memory' },
};

describe('HealthController', () => {
  let app: INestApplication;

  // One app per file: prom-client's default registry is process-wide.
  beforeAll(async () => {
    const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
    @Module({ imports: [RuntimeModule.forRoot(config, logger)] })
    class TestModule {}
    app = await createServiceApp({ title: 'health', loadConfig: () => config, rootModule: () => TestModule }, config, logger);
    await app.init();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await app.close();
  });

  it('should report live', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
  });

  it('should report ready when the bus and the state store answer', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.details).toEqual({ bus: { status: 'up' }, state: { status: 'up' } });
  });

  it('should answer 503 naming the dependency that does not answer', async () => {
    jest.spyOn(app.get(StateStore), 'ping').mockRejectedValue(new Error('connection refused'));
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error).toEqual({ state: { status: 'down', message: 'connection refused' } });
    expect(res.body.info).toEqual({ bus: { status: 'up' } });
  });

  it('should answer 503 when a dependency hangs', async () => {
    jest.spyOn(app.get(MessageBus), 'ping').mockReturnValue(new Promise(() => undefined));
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body.error.bus.message).toMatch(/no answer within/);
  }, 10_000);

  it('should serve Prometheus metrics with the service label', async () => {
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.text).toMatch(/process_cpu_user_seconds_total\{service="health-spec",node="n1"\}/);
  });

  it('should serve the OpenAPI document', async () => {
    const res = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
  });
});
