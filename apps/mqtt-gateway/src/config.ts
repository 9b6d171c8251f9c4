import { BaseEnv, WithKafka, WithRedis, loadEnv } from '@iot/config';
import { RuntimeConfig, baseRuntimeConfig, clusterAdapters } from '@iot/runtime';

export class MqttGatewayEnv extends WithRedis(WithKafka(BaseEnv)) {
  override HTTP_PORT = 8090;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const e = loadEnv(MqttGatewayEnv, env);
  return { ...baseRuntimeConfig('mqtt-gateway', e), ...clusterAdapters(e) };
}
