import { randomUUID } from 'node:crypto';
import { EntityList, MigrationList } from '@iot/database';
import { RuntimeConfig } from '@iot/runtime';
import { testInfra } from './infra';

/**
 * A cluster-mode RuntimeConfig on the test infrastructure (Kafka, Redis, the migrated test
 * database) with a unique node id, so parallel suites never share consumer groups.
 */
export function clusterTestConfig(service: string, database?: { entities: EntityList; migrations: MigrationList }): RuntimeConfig {
  return {
    service,
    nodeId: `test-${randomUUID().slice(0, 8)}`,
    http: { host: '127.0.0.1', port: 0 },
    logLevel: process.env.TEST_LOG_LEVEL ?? 'error',
    shutdownTimeoutMs: 10_000,
    bus: { driver: 'kafka', brokers: [...testInfra.kafkaBrokers], clientId: 'int-spec' },
    state: { driver: 'redis', url: testInfra.redisUrl },
    database: database && { url: testInfra.databaseUrl, migrate: false, ...database },
  };
}
