/**
 * Where the integration tiers find their infrastructure: the variables `npm test` exports
 * after `deploy/local/infra.sh up`, with the script's defaults.
 */
export const testInfra = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://iot:iot@127.0.0.1:5432/iot_test',
} as const;
