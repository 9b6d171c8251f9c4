import { BaseEnv, WithDatabase, WithKafka, WithRedis, loadEnv } from '@iot/config';
import { ruleEntities, ruleMigrations } from '@iot/rules';
import { RuntimeConfig, baseRuntimeConfig, clusterAdapters, databaseConfig } from '@iot/runtime';

export class RuleServiceEnv extends WithDatabase(WithRedis(WithKafka(BaseEnv)), { url: 'postgres://iot:iot@127.0.0.1:5432/iot', migrate: false }) {
  override HTTP_PORT = 8093;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const e = loadEnv(RuleServiceEnv, env);
  return {
    ...baseRuntimeConfig('rule-service', e),
    ...clusterAdapters(e),
    database: databaseConfig(e, { entities: ruleEntities, migrations: ruleMigrations }),
  };
}
