import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';

export interface DatabaseConfig {
  /** `postgres://user:pass@host:port/db`, `pglite://<directory>` or `pglite://memory`. */
  url: string;
  /** Run pending migrations when the service starts. */
  migrate: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationList = MixedList<Function | string>;

/** Table where TypeORM records the migrations that ran (one for every service sharing a database). */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** Whether the URL names the embedded database. */
export const isEmbedded = (url: string): boolean => url.startsWith('pglite://');

/**
 * TypeORM options for either database. Both use the `postgres` dialect — PGlite is
 * PostgreSQL compiled to WebAssembly — so the same entities and migrations run on both.
 * `synchronize` is never on: the schema changes only through migrations.
 */
export function dataSourceOptions(url: string, entities: EntityList, migrations: MigrationList): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    migrationsRun: false,
  };
  if (!isEmbedded(url)) {
    return { ...common, url, extra: { max: 10, connectionTimeoutMillis: 10_000 } };
  }
  const location = url.slice('pglite://'.length);
  const dataDir = location === 'memory' ? undefined : resolve(location);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return { ...common, driver: new PGliteDriver(dataDir ? { dataDir } : {}).driver };
}
