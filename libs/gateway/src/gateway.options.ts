import { readFileSync } from 'node:fs';
import { ConfigError } from '@iot/config';
import type { TlsMaterial } from '@iot/mqtt-broker';

/** Options of the gateway module, from its process's configuration. */
export interface GatewayOptions {
  mqtt: {
    host: string;
    /** Listener ports; 0 turns one off. TLS and WSS need `tls`. */
    port: number;
    tlsPort: number;
    wsPort: number;
    wssPort: number;
    wsPath: string;
    tls?: TlsMaterial;
    allowAnonymous: boolean;
    maxKeepAlive: number;
    maxPacketSize: number;
    maxInflight: number;
    maxQueuedMessages: number;
    /** Failed logins per minute, per username and per address (MQTT_LOGIN_FAILURES_PER_*). */
    loginFailures?: { perUsername: number; perAddress: number };
  };
  uplink: {
    /** Whether device messages and client events go to the bus at all (MQTT_UPLINK). */
    enabled: boolean;
    /** Records held for the bus at most (MQTT_UPLINK_BUFFER). */
    bufferSize: number;
    /** Under load (MQTT_UPLINK_LINGER_ABOVE msg/s), a send waits this long after the previous one began (MQTT_UPLINK_LINGER_MS). */
    lingerMs: number;
    lingerAboveRate: number;
    /** Report each delivery and drop too (MQTT_UPLINK_DELIVERY_EVENTS). */
    deliveryEvents: boolean;
    /** How long a stopping node waits for the bus to take what is buffered. */
    flushTimeoutMs: number;
  };
  /** How often the node reports its statistics to the state store (MQTT_STATS_INTERVAL_MS). */
  statsIntervalMs: number;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

interface MqttEnvValues {
  MQTT_PORT: number;
  MQTT_HOST: string;
  MQTT_TLS_PORT: number;
  MQTT_WS_PORT: number;
  MQTT_WSS_PORT: number;
  MQTT_WS_PATH: string;
  MQTT_TLS_CERT_FILE?: string;
  MQTT_TLS_KEY_FILE?: string;
  MQTT_TLS_CA_FILE?: string;
  MQTT_ALLOW_ANONYMOUS: boolean;
  MQTT_MAX_KEEPALIVE: number;
  MQTT_MAX_PACKET_SIZE: number;
  MQTT_MAX_INFLIGHT: number;
  MQTT_MAX_QUEUED_MESSAGES: number;
  MQTT_LOGIN_FAILURES_PER_USERNAME: number;
  MQTT_LOGIN_FAILURES_PER_ADDRESS: number;
  MQTT_UPLINK: boolean;
  MQTT_UPLINK_BUFFER: number;
  MQTT_UPLINK_LINGER_MS: number;
  MQTT_UPLINK_LINGER_ABOVE: number;
  MQTT_UPLINK_DELIVERY_EVENTS: boolean;
  MQTT_STATS_INTERVAL_MS: number;
  SHUTDOWN_TIMEOUT_MS: number;
}

/**
 * Maps the validated MQTT variables (WithMqtt) to the gateway options, reading the TLS
 * files. @throws ConfigError naming each file variable that is missing its pair or unreadable.
 */
export function gatewayOptionsFromEnv(env: MqttEnvValues): GatewayOptions {
  return {
    mqtt: {
      host: env.MQTT_HOST,
      port: env.MQTT_PORT,
      tlsPort: env.MQTT_TLS_PORT,
      wsPort: env.MQTT_WS_PORT,
      wssPort: env.MQTT_WSS_PORT,
      wsPath: env.MQTT_WS_PATH,
      tls: tlsMaterial(env),
      allowAnonymous: env.MQTT_ALLOW_ANONYMOUS,
      maxKeepAlive: env.MQTT_MAX_KEEPALIVE,
      maxPacketSize: env.MQTT_MAX_PACKET_SIZE,
      maxInflight: env.MQTT_MAX_INFLIGHT,
      maxQueuedMessages: env.MQTT_MAX_QUEUED_MESSAGES,
      loginFailures: { perUsername: env.MQTT_LOGIN_FAILURES_PER_USERNAME, perAddress: env.MQTT_LOGIN_FAILURES_PER_ADDRESS },
    },
    uplink: {
      enabled: env.MQTT_UPLINK,
      bufferSize: env.MQTT_UPLINK_BUFFER,
      lingerMs: env.MQTT_UPLINK_LINGER_MS,
      lingerAboveRate: env.MQTT_UPLINK_LINGER_ABOVE,
      deliveryEvents: env.MQTT_UPLINK_DELIVERY_EVENTS,
      // Half the shutdown grace at most: what cannot be flushed by then is logged, and the node
      // still has time to leave the cluster cleanly before the process is made to exit.
      flushTimeoutMs: Math.max(1_000, Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2)),
    },
    statsIntervalMs: env.MQTT_STATS_INTERVAL_MS,
  };
}

function tlsMaterial(env: MqttEnvValues): TlsMaterial | undefined {
  const { MQTT_TLS_CERT_FILE: certFile, MQTT_TLS_KEY_FILE: keyFile, MQTT_TLS_CA_FILE: caFile } = env;
  if (!certFile && !keyFile && !caFile) return undefined;
  const problems: string[] = [];
  if (!certFile) problems.push('MQTT_TLS_CERT_FILE: must be set together with MQTT_TLS_KEY_FILE (not set)');
  if (!keyFile) problems.push('MQTT_TLS_KEY_FILE: must be set together with MQTT_TLS_CERT_FILE (not set)');
  const read = (name: string, file?: string): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      problems.push(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const cert = read('MQTT_TLS_CERT_FILE', certFile);
  const key = read('MQTT_TLS_KEY_FILE', keyFile);
  const ca = read('MQTT_TLS_CA_FILE', caFile);
  if (problems.length > 0) throw new ConfigError(problems);
  return { cert: cert!, key: key!, ca };
}

/** One line per MQTT listener, for the start-up banner. */
export function describeListeners(options: GatewayOptions): string[] {
  const { host, port, tlsPort, wsPort, wssPort, wsPath, tls } = options.mqtt;
  const lines: string[] = [];
  if (port) lines.push(`MQTT on tcp://${host}:${port}`);
  if (tls && tlsPort) lines.push(`MQTT on mqtts://${host}:${tlsPort}`);
  if (wsPort) lines.push(`MQTT on ws://${host}:${wsPort}${wsPath}`);
  if (tls && wssPort) lines.push(`MQTT on wss://${host}:${wssPort}${wsPath}`);
  if (!tls && (tlsPort || wssPort)) lines.push('TLS and WSS listeners off (set MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE)');
  return lines.length ? lines : ['MQTT listeners off'];
}
