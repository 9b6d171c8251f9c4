import { hostname } from 'node:os';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { EnvBool, EnvEnum, EnvInt, EnvList, EnvPort, EnvUrl } from './env-decorators';

type Class<T = object> = new (...args: any[]) => T; // eslint-disable-line @typescript-eslint/no-explicit-any

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables every process has: HTTP listener, logging, node identity. */
export class BaseEnv {
  /** Port of the HTTP API, health, metrics and OpenAPI document. */
  @EnvPort()
  HTTP_PORT = 8080;

  /** Address the HTTP listener binds to. */
  @IsString()
  HTTP_HOST = '0.0.0.0';

  @EnvEnum(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** This process's identity in the cluster (presence, consumer groups, metrics). */
  @Matches(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, { message: 'must be 1-63 letters, digits, dots, dashes or underscores' })
  NODE_ID = `${hostname()}-${process.pid}`.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 63);

  /** Grace period for in-flight work after SIGTERM before the process exits. */
  @EnvInt(0, 600_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /**
   * How far V8 lets the old generation grow past what its last full collection kept, in
   * percent (100: to twice that); 0 leaves it to V8. See @iot/runtime heap-growing.
   */
  @EnvInt(0, 400)
  V8_HEAP_GROWING_PERCENT = 100;

  /**
   * V8's allocation-site pretenuring (objects from a site that often survives allocated in the
   * old generation from then on); off by default. Applied before the modules load, by
   * @iot/runtime/v8-early (see pretenuring there); validated here with the rest.
   */
  @EnvBool()
  V8_ALLOCATION_SITE_PRETENURING = false;
}

/** Kafka connection (cluster mode). */
export function WithKafka<B extends Class>(Base: B) {
  class KafkaEnv extends Base {
    /** `kafka`, or `in-process` to run this service alone without Kafka (development, benchmarks). */
    @EnvEnum(['kafka', 'in-process'])
    BUS_DRIVER: 'kafka' | 'in-process' = 'kafka';

    /** Comma-separated bootstrap brokers. */
    @EnvList(/^[^\s:,]+:\d{1,5}$/, 'host:port')
    KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

    /** Prefix of the Kafka client id; the node id is appended. */
    @Matches(/^[a-zA-Z0-9._-]+$/)
    KAFKA_CLIENT_ID = 'iot-platform';
  }
  return KafkaEnv;
}

/** Redis connection (cluster mode). */
export function WithRedis<B extends Class>(Base: B) {
  class RedisEnv extends Base {
    /** `redis`, or `memory` to run this service alone without Redis (development, benchmarks). */
    @EnvEnum(['redis', 'memory'])
    STATE_DRIVER: 'redis' | 'memory' = 'redis';

    @EnvUrl(['redis', 'rediss'])
    REDIS_URL = 'redis://127.0.0.1:6379';
  }
  return RedisEnv;
}

/** Database connection: `postgres://` for PostgreSQL, `pglite://<dir>` or `pglite://memory` for the embedded database. */
export function WithDatabase<B extends Class>(Base: B, defaults: { url: string; migrate: boolean }) {
  class DatabaseEnv extends Base {
    @EnvUrl(['postgres', 'postgresql', 'pglite'])
    DATABASE_URL = defaults.url;

    /** Run pending migrations at boot (standalone default); cluster mode runs them as a separate step. */
    @EnvBool()
    DATABASE_MIGRATE = defaults.migrate;
  }
  return DatabaseEnv;
}

/** The operator key that administers projects (see the registry's REST API). */
export function WithOperatorKey<B extends Class>(Base: B) {
  class OperatorKeyEnv extends Base {
    @IsOptional()
    @Length(16, 256, { message: 'must be 16 to 256 characters long' })
    IOT_OPERATOR_KEY?: string;
  }
  return OperatorKeyEnv;
}

/** The registry's device password hashing. */
export function WithPasswordHashing<B extends Class>(Base: B) {
  class PasswordHashingEnv extends Base {
    /** scrypt work factor of new device passwords, as log2(N): 14 is N = 16,384 (~50 ms a hash and a login check on one core). */
    @EnvInt(10, 20)
    IOT_PASSWORD_HASH_COST = 14;
  }
  return PasswordHashingEnv;
}

/** The gateway's MQTT listener and broker limits. */
export function WithMqtt<B extends Class>(Base: B) {
  class MqttEnv extends Base {
    /** Device MQTT over TCP; 0 turns the listener off. */
    @EnvPort()
    MQTT_PORT = 1883;

    @IsString()
    MQTT_HOST = '0.0.0.0';

    /** MQTT over TLS; runs when a certificate is configured; 0 turns it off. */
    @EnvPort()
    MQTT_TLS_PORT = 8883;

    /** MQTT over WebSocket (path MQTT_WS_PATH, subprotocol `mqtt`); 0 turns it off. */
    @EnvPort()
    MQTT_WS_PORT = 8083;

    /** MQTT over secure WebSocket; runs when a certificate is configured; 0 turns it off. */
    @EnvPort()
    MQTT_WSS_PORT = 8084;

    @Matches(/^\/[^\s]*$/, { message: 'must be a path starting with /' })
    MQTT_WS_PATH = '/mqtt';

    /** PEM certificate (chain) for the TLS and WSS listeners. */
    @IsOptional()
    @IsString()
    MQTT_TLS_CERT_FILE?: string;

    /** PEM private key for the TLS and WSS listeners. */
    @IsOptional()
    @IsString()
    MQTT_TLS_KEY_FILE?: string;

    /** PEM CA bundle: when set, TLS clients must present a certificate it signed. */
    @IsOptional()
    @IsString()
    MQTT_TLS_CA_FILE?: string;

    /** Accept clients without credentials (they belong to the `default` project). Off by default. */
    @EnvBool()
    MQTT_ALLOW_ANONYMOUS = false;

    /** Upper bound of a client's keepalive in seconds; 5.0 clients are told the capped value. */
    @EnvInt(1, 65535)
    MQTT_MAX_KEEPALIVE = 65535;

    /** Largest packet accepted from a client, in bytes. */
    @EnvInt(64, 268_435_455)
    MQTT_MAX_PACKET_SIZE = 1_048_576;

    /** Unacknowledged QoS 1/2 messages per client in each direction (Receive Maximum). */
    @EnvInt(1, 65535)
    MQTT_MAX_INFLIGHT = 32;

    /** Messages queued per session while offline or beyond the in-flight window. */
    @EnvInt(0, 1_000_000)
    MQTT_MAX_QUEUED_MESSAGES = 1000;

    /** Failed MQTT logins per username per minute before its further attempts are refused unchecked (5.0: 0x8A). */
    @EnvInt(1, 1_000_000)
    MQTT_LOGIN_FAILURES_PER_USERNAME = 10;

    /** Failed MQTT logins per peer IP address per minute before its further attempts are refused unchecked. */
    @EnvInt(1, 1_000_000)
    MQTT_LOGIN_FAILURES_PER_ADDRESS = 100;

    /** Report device messages and client events to the bus (off: the gateway alone, as the broker benchmark measures it). */
    @EnvBool()
    MQTT_UPLINK = true;

    /** Records (device messages, client events) held for the bus while it is slow or down; then publishers are held. */
    @EnvInt(100, 10_000_000)
    MQTT_UPLINK_BUFFER = 100_000;

    /**
     * Under load, how long the uplink gathers records into one produce request at most, in ms
     * (Kafka's linger.ms; 0: never); a full request (900 kB) goes at once. Each request costs
     * the gateway ~0.6 ms of CPU whatever it carries, and Kafka more: at 10 ms a QoS 1 flood
     * made ~100 requests a second, at 100 ms ~11 (docs/benchmarks-history.md).
     */
    @EnvInt(0, 1_000)
    MQTT_UPLINK_LINGER_MS = 100;

    /** What "under load" means for MQTT_UPLINK_LINGER_MS: the uplink carries this many messages per second or more, over a second at least. */
    @EnvInt(0, 100_000_000)
    MQTT_UPLINK_LINGER_ABOVE = 50_000;

    /** Also report every message delivered to or dropped for a client (one event per delivery: costly under load). */
    @EnvBool()
    MQTT_UPLINK_DELIVERY_EVENTS = false;

    /** How often the node writes its statistics (connections, traffic, per project) for the stats endpoints, in ms. */
    @EnvInt(100, 3_600_000)
    MQTT_STATS_INTERVAL_MS = 5_000;
  }
  return MqttEnv;
}

/** The command service's device messages (expiry, retention) and batch tasks (concurrency). */
export function WithDeviceMessages<B extends Class>(Base: B) {
  class DeviceMessagesEnv extends Base {
    /** How often pending device messages past their TTL become TIMEOUT (and old finished ones are deleted), in ms. */
    @EnvInt(100, 600_000)
    DEVICE_MESSAGE_SWEEP_MS = 5_000;

    /** Days a delivered, expired or failed device message stays listed. */
    @EnvInt(1, 3_650)
    DEVICE_MESSAGE_RETENTION_DAYS = 30;

    /** Commands of one batch task under way at once. */
    @EnvInt(1, 1_000)
    BATCH_TASK_CONCURRENCY = 50;

    /** Batch tasks one command-service instance runs at once (others wait, or go to other instances). */
    @EnvInt(1, 100)
    BATCH_TASK_PARALLEL = 4;
  }
  return DeviceMessagesEnv;
}
