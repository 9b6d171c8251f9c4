// `npm run start:cluster [-- --gateways N]`: the four services as separate processes against
// the local Kafka, Redis and PostgreSQL (started first if they are not running).
// Gateway node i (1-based) serves MQTT on MQTT_PORT + i - 1 (1883, 1884, ...; WebSocket on
// MQTT_WS_PORT + i - 1, TLS ports likewise when configured) and HTTP on 8090 + 10*(i-1);
// the other services use 8091-8093. Put any TCP load balancer in front of the MQTT ports.
import { parseArgs } from 'node:util';
import { build, entryOf, infraUp, run, supervise } from './lib.mjs';

const { values } = parseArgs({ options: { gateways: { type: 'string', default: '1' } } });
const gateways = Number(values.gateways);
if (!Number.isInteger(gateways) || gateways < 1 || gateways > 9) {
  console.error('--gateways must be a whole number from 1 to 9');
  process.exit(2);
}

/** Port of node i for a listener: the configured (or default) one plus i; 0 stays off. */
const portFor = (name, fallback, i) => {
  const base = Number(process.env[name] ?? fallback);
  return String(base === 0 ? 0 : base + i);
};

const infra = infraUp();
const shared = { KAFKA_BROKERS: infra.KAFKA_BROKERS, REDIS_URL: infra.REDIS_URL, DATABASE_URL: infra.DATABASE_URL };
const apps = ['device-registry', 'mqtt-gateway', 'command-service', 'rule-service'];
build(apps);
for (const app of ['device-registry', 'command-service', 'rule-service']) {
  run(process.execPath, [entryOf(app), 'migrate'], { env: { ...process.env, ...shared } });
}
supervise([
  ...Array.from({ length: gateways }, (_, i) => ({
    name: `mqtt-gateway-${i + 1}`,
    command: process.execPath,
    args: [entryOf('mqtt-gateway')],
    env: {
      ...shared,
      NODE_ID: `gateway-${i + 1}`,
      HTTP_PORT: String(8090 + 10 * i),
      MQTT_PORT: portFor('MQTT_PORT', 1883, i),
      MQTT_TLS_PORT: portFor('MQTT_TLS_PORT', 8883, i),
      MQTT_WS_PORT: portFor('MQTT_WS_PORT', 8083, i),
      MQTT_WSS_PORT: portFor('MQTT_WSS_PORT', 8084, i),
    },
  })),
  ...['device-registry', 'command-service', 'rule-service'].map((app) => ({ name: app, command: process.execPath, args: [entryOf(app)], env: shared })),
]);
