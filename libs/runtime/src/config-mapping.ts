import type { BaseEnv } from '@iot/config';
import type { EntityList, MigrationList } from '@iot/database';
import { BusConfig, RuntimeConfig, StateConfig } from './runtime-config';

/** The part of RuntimeConfig every process maps the same way from BaseEnv. */
export function baseRuntimeConfig(service: string, env: BaseEnv): Pick<RuntimeConfig, 'service' | 'nodeId' | 'http' | 'logLevel' | 'shutdownTimeoutMs' | 'heapGrowingPercent'> {
  return {
    service,
    nodeId: env.NODE_ID,
    http: { host: env.HTTP_HOST, port: env.HTTP_PORT },
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    heapGrowingPercent: env.V8_HEAP_GROWING_PERCENT,
  };
}

/** Cluster-mode adapters: Kafka and Redis, unless BUS_DRIVER / STATE_DRIVER choose the in-process ones. */
export function clusterAdapters(env: {
  BUS_DRIVER: 'kafka' | 'in-process';
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID: string;
  STATE_DRIVER: 'redis' | 'memory';
  REDIS_URL: string;
}): { bus: BusConfig; state: StateConfig } {
  return {
    bus: env.BUS_DRIVER === 'kafka' ? { driver: 'kafka', brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID } : { driver: 'in-process' },
    state: env.STATE_DRIVER === 'redis' ? { driver: 'redis', url: env.REDIS_URL } : { driver: 'memory' },
  };
}

/** The database of a process: URL and migrate flag from its environment, and the tables it maps. */
export function databaseConfig(
  env: { DATABASE_URL: string; DATABASE_MIGRATE: boolean },
  schema: { entities: EntityList; migrations: MigrationList },
): NonNullable<RuntimeConfig['database']> {
  return { url: env.DATABASE_URL, migrate: env.DATABASE_MIGRATE, ...schema };
}
