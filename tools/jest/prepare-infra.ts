import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { commandMigrations } from '@iot/commands';
import { dataSourceOptions } from '@iot/database';
import { registryMigrations } from '@iot/registry';
import { ruleMigrations } from '@iot/rules';
import { testInfra } from '@iot/testing';

/**
 * Runs once before the integration and e2e tiers. Every tier talks to real infrastructure;
 * if any piece does not answer, the run fails here with a clear message — it never skips.
 */
export async function prepareInfra(): Promise<void> {
  const problems: string[] = [];
  await Promise.all([
    check('PostgreSQL', testInfra.databaseUrl, async () => {
      const client = new Client({ connectionString: testInfra.databaseUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      await client.query('select 1');
      await client.end();
    }),
    check('Redis', testInfra.redisUrl, async () => {
      const redis = new Redis(testInfra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: () => null });
      try {
        await redis.connect();
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    }),
    check('Kafka', testInfra.kafkaBrokers.join(','), async () => {
      const admin = new Kafka({ brokers: testInfra.kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
    }),
  ]);
  if (problems.length > 0) {
    throw new Error(
      `Integration tests need real infrastructure, and some of it does not answer:\n${problems.join('\n')}\n` +
        'Run `npm test` (it starts everything with deploy/local/infra.sh up) or start it yourself.',
    );
  }
  await migrateTestDatabase();

  /** A clean schema, migrated once for the whole run, exactly as production migrates. */
  async function migrateTestDatabase(): Promise<void> {
    const client = new Client({ connectionString: testInfra.databaseUrl });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
    await client.end();
    const dataSource = new DataSource(dataSourceOptions(testInfra.databaseUrl, [], [...registryMigrations, ...commandMigrations, ...ruleMigrations]));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
  }

  async function check(name: string, where: string, probe: () => Promise<void>): Promise<void> {
    try {
      await probe();
    } catch (error) {
      problems.push(`  - ${name} at ${where}: ${(error as Error).message}`);
    }
  }
}
