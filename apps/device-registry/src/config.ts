import { BaseEnv, WithDatabase, WithKafka, WithOperatorKey, WithPasswordHashing, WithRedis, loadEnv } from '@iot/config';
import { registryEntities, registryMigrations } from '@iot/registry';
import { RuntimeConfig, baseRuntimeConfig, clusterAdapters, databaseConfig } from '@iot/runtime';

export class DeviceRegistryEnv extends WithPasswordHashing(
  WithOperatorKey(WithDatabase(WithRedis(WithKafka(BaseEnv)), { url: 'postgres://iot:iot@127.0.0.1:5432/iot', migrate: false })),
) {
  override HTTP_PORT = 8091;
}

export interface DeviceRegistryConfig extends RuntimeConfig {
  operatorKey?: string;
  passwordHashCost: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DeviceRegistryConfig {
  const e = loadEnv(DeviceRegistryEnv, env);
  return {
    ...baseRuntimeConfig('device-registry', e),
    ...clusterAdapters(e),
    database: databaseConfig(e, { entities: registryEntities, migrations: registryMigrations }),
    operatorKey: e.IOT_OPERATOR_KEY,
    passwordHashCost: e.IOT_PASSWORD_HASH_COST,
  };
}
