import 'reflect-metadata';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ConfigError } from '@iot/config';
import { dataSourceOptions } from '@iot/database';
import { applyHeapGrowing } from './heap-growing';
import { createValidationPipe } from './http/validation';
import { PinoLoggerService } from './logging/pino-logger.service';
import { createRootLogger } from './logging/root-logger';
import { RuntimeConfig } from './runtime-config';
import { OPERATIONAL_PATHS } from './runtime.module';

export interface ServiceDefinition {
  /** Human title of the OpenAPI document. */
  title: string;
  /** Validates the environment and maps it to the runtime config; throws ConfigError. */
  loadConfig: () => RuntimeConfig;
  /** Builds the root module from the config and the root logger. */
  rootModule: (config: RuntimeConfig, logger: Logger) => Type | DynamicModule;
  /** Extra lines for the start-up banner, e.g. the MQTT ports. */
  banner?: (config: RuntimeConfig) => string[];
}

/**
 * Entry point of every process. `node main.js` serves; `node main.js migrate` runs the
 * pending migrations and exits (the Helm migration Job and `npm run migrate`).
 * A bad environment stops the process with exit code 1 and every bad variable named.
 */
export async function runService(definition: ServiceDefinition, argv = process.argv.slice(2)): Promise<void> {
  let config: RuntimeConfig;
  try {
    config = definition.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  applyHeapGrowing(config.heapGrowingPercent ?? 0);
  const logger = createRootLogger(config.service, config.nodeId, config.logLevel);
  try {
    if (argv[0] === 'migrate') {
      await migrate(config, logger);
      process.exit(0);
    }
    await serve(definition, config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the log line out
    process.exit(1);
  }
}

/** The largest JSON request body accepted. */
export const JSON_BODY_LIMIT = '2mb';

/** Creates, configures and starts the Nest application (also used by the tests). */
export async function createServiceApp(definition: ServiceDefinition, config: RuntimeConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(definition.rootModule(config, logger), { logger: new PinoLoggerService(logger), abortOnError: false, bodyParser: false });
  // JSON bodies up to 2 MiB (a batch task names up to 10,000 devices); larger ones get 413.
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useLogger(app.get(PinoNestLogger));
  app.setGlobalPrefix('api/v1', { exclude: OPERATIONAL_PATHS.map((path) => path.slice(1)) });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(definition.title).setVersion('v1').addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Operator key or project API key' }).build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

async function serve(definition: ServiceDefinition, config: RuntimeConfig, logger: Logger): Promise<void> {
  const app = await createServiceApp(definition, config, logger);
  await app.listen(config.http.port, config.http.host);
  installShutdownTimeout(config, logger);
  const lines = [`HTTP on http://${config.http.host}:${config.http.port} (OpenAPI at /api/docs)`, ...(definition.banner?.(config) ?? [])];
  logger.info({ http: config.http }, `${config.service} started: ${lines.join('; ')}`);
}

/** Nest closes everything on SIGTERM/SIGINT; if that hangs, exit anyway after the grace period. */
function installShutdownTimeout(config: RuntimeConfig, logger: Logger): void {
  const arm = (signal: NodeJS.Signals) =>
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
    });
  arm('SIGTERM');
  arm('SIGINT');
}

async function migrate(config: RuntimeConfig, logger: Logger): Promise<void> {
  if (!config.database) {
    logger.info(`${config.service} owns no tables; nothing to migrate`);
    return;
  }
  const dataSource = new DataSource(dataSourceOptions(config.database.url, config.database.entities, config.database.migrations));
  await dataSource.initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    logger.info({ migrations: ran.map((m) => m.name) }, ran.length ? `ran ${ran.length} migration(s)` : 'schema is up to date');
  } finally {
    await dataSource.destroy();
  }
}
