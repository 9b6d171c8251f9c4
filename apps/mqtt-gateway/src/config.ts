import { BaseEnv, WithKafka, WithMqtt, WithRedis, loadEnv } from '@iot/config';
import { GatewayOptions, gatewayOptionsFromEnv } from '@iot/gateway';
import { RuntimeConfig, baseRuntimeConfig, clusterAdapters } from '@iot/runtime';

export class MqttGatewayEnv extends WithMqtt(WithRedis(WithKafka(BaseEnv))) {
  override HTTP_PORT = 8090;
}

export interface MqttGatewayConfig extends RuntimeConfig {
  gateway: GatewayOptions;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MqttGatewayConfig {
  const e = loadEnv(MqttGatewayEnv, env);
  return { ...baseRuntimeConfig('mqtt-gateway', e), ...clusterAdapters(e), gateway: gatewayOptionsFromEnv(e) };
}
