/** Options of the gateway module, from its process's configuration. */
export interface GatewayOptions {
  mqtt: {
    /** 0 turns the TCP listener off. */
    port: number;
    host: string;
    allowAnonymous: boolean;
    maxKeepAlive: number;
    maxPacketSize: number;
    maxInflight: number;
    maxQueuedMessages: number;
  };
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

/** Maps the validated MQTT variables (WithMqtt) to the gateway options. */
export function gatewayOptionsFromEnv(env: {
  MQTT_PORT: number;
  MQTT_HOST: string;
  MQTT_ALLOW_ANONYMOUS: boolean;
  MQTT_MAX_KEEPALIVE: number;
  MQTT_MAX_PACKET_SIZE: number;
  MQTT_MAX_INFLIGHT: number;
  MQTT_MAX_QUEUED_MESSAGES: number;
}): GatewayOptions {
  return {
    mqtt: {
      port: env.MQTT_PORT,
      host: env.MQTT_HOST,
      allowAnonymous: env.MQTT_ALLOW_ANONYMOUS,
      maxKeepAlive: env.MQTT_MAX_KEEPALIVE,
      maxPacketSize: env.MQTT_MAX_PACKET_SIZE,
      maxInflight: env.MQTT_MAX_INFLIGHT,
      maxQueuedMessages: env.MQTT_MAX_QUEUED_MESSAGES,
    },
  };
}
