import { randomBytes } from 'node:crypto';
import { BaseEnv, WithDatabase, WithDeviceMessages, WithMqtt, WithOperatorKey, WithPasswordHashing, loadEnv } from '@iot/config';
import { CommandServiceOptions, commandEntities, commandMigrations, commandServiceOptionsFromEnv } from '@iot/commands';
import { GatewayOptions, gatewayOptionsFromEnv } from '@iot/gateway';
import { registryEntities, registryMigrations } from '@iot/registry';
import { ruleEntities, ruleMigrations } from '@iot/rules';
import { RuntimeConfig, baseRuntimeConfig, databaseConfig } from '@iot/runtime';

/**
 * Standalone mode: the four services in one process with the in-process bus, in-memory
 * state and the embedded database (PGlite, persisted under `.data/` by default), so
 * `npm start` needs nothing installed. Point DATABASE_URL at PostgreSQL to keep the data there.
 */
export class StandaloneEnv extends WithPasswordHashing(WithDeviceMessages(WithMqtt(WithOperatorKey(WithDatabase(BaseEnv, { url: 'pglite://.data/standalone', migrate: true }))))) {}

export interface StandaloneConfig extends RuntimeConfig {
  gateway: GatewayOptions;
  commands: CommandServiceOptions;
  operatorKey: string;
  passwordHashCost: number;
  /** Whether the operator key was generated for this run (IOT_OPERATOR_KEY unset). */
  operatorKeyGenerated: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StandaloneConfig {
  const e = loadEnv(StandaloneEnv, env);
  // Never run without an operator key: a fresh one per run is safe and lets a newcomer try the API.
  const operatorKey = e.IOT_OPERATOR_KEY ?? randomBytes(24).toString('base64url');
  return {
    ...baseRuntimeConfig('standalone', e),
    bus: { driver: 'in-process' },
    state: { driver: 'memory' },
    database: databaseConfig(e, {
      entities: [...registryEntities, ...commandEntities, ...ruleEntities],
      migrations: [...registryMigrations, ...commandMigrations, ...ruleMigrations],
    }),
    operatorKey,
    passwordHashCost: e.IOT_PASSWORD_HASH_COST,
    operatorKeyGenerated: e.IOT_OPERATOR_KEY === undefined,
    gateway: gatewayOptionsFromEnv(e),
    commands: { ...commandServiceOptionsFromEnv(e), operatorKey },
  };
}
