import { BaseEnv, WithDatabase, WithDeviceMessages, WithKafka, WithOperatorKey, WithRedis, loadEnv } from '@iot/config';
import { CommandServiceOptions, commandEntities, commandMigrations } from '@iot/commands';
import { RuntimeConfig, baseRuntimeConfig, clusterAdapters, databaseConfig } from '@iot/runtime';
import { commandServiceOptionsFromEnv } from '@iot/commands';

export class CommandServiceEnv extends WithDeviceMessages(WithOperatorKey(WithDatabase(WithRedis(WithKafka(BaseEnv)), { url: 'postgres://iot:iot@127.0.0.1:5432/iot', migrate: false }))) {
  override HTTP_PORT = 8092;
}

export interface CommandServiceConfig extends RuntimeConfig {
  commands: CommandServiceOptions;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CommandServiceConfig {
  const e = loadEnv(CommandServiceEnv, env);
  return {
    ...baseRuntimeConfig('command-service', e),
    ...clusterAdapters(e),
    database: databaseConfig(e, { entities: commandEntities, migrations: commandMigrations }),
    commands: commandServiceOptionsFromEnv(e),
  };
}
