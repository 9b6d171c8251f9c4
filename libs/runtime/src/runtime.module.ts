import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AdaptersModule } from './adapters/adapters.module';
import { HealthController } from './health/health.controller';
import { ErrorFilter } from './http/error.filter';
import { ROOT_LOGGER } from './logging/root-logger';
import { RUNTIME_CONFIG, RuntimeConfig } from './runtime-config';

/** Paths that are neither logged per request nor behind the `/api/v1` prefix. */
export const OPERATIONAL_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * What every process has, whatever it runs: JSON logs, adapters, `/health/live` and
 * `/health/ready`, Prometheus `/metrics`, and one error format.
 */
@Module({})
export class RuntimeModule {
  static forRoot(config: RuntimeConfig, logger: Logger): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          // Named wildcard: Express 5 (path-to-regexp 8) no longer accepts a bare `*`.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            logger,
            autoLogging: { ignore: (req) => OPERATIONAL_PATHS.includes(req.url ?? '') },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          },
        }),
        TerminusModule.forRoot({ logger: false }),
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { service: config.service, node: config.nodeId },
          // The event-loop lag monitor samples on a timer; at prom-client's default 10 ms it
          // wakes an idle process 100 times a second. Once a second keeps the gateway idle.
          defaultMetrics: { enabled: true, config: { eventLoopMonitoringPrecision: 1_000 } },
        }),
        AdaptersModule.forRoot(config, logger),
      ],
      controllers: [HealthController],
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
      exports: [RUNTIME_CONFIG, ROOT_LOGGER],
    };
  }
}
