// The Kafka twin: `node tools/bench/kafka-twin.mjs <brokers> <bytesPerSecond>` writes into the
// bench Kafka what a cluster gateway's uplink wrote in the run just before — the same bytes per
// second, in records of the uplink's size, with its producer settings — from the generator's
// core, until SIGTERM. The cluster table runs the in-memory reference a second time with the
// twin going, so that both set-ups share a machine with a Kafka equally busy (docs/benchmarks.md,
// "The Kafka twin"). Prints `{"ready":true}` once it is producing, then, on SIGTERM, the bytes
// per second it actually wrote and its own CPU load (of one core).
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';

const [brokers, rate] = process.argv.slice(2);
const bytesPerSecond = Number(rate);
if (!brokers || !(bytesPerSecond > 0)) throw new Error('usage: kafka-twin.mjs <brokers> <bytesPerSecond>');

/** Not a platform topic: nothing consumes it, and the uplink's own topic stays the uplink's. */
const TOPIC = 'bench.kafka-twin';
/** The uplink's records in the one-to-one floods: ~500 PUBLISH packets of one client per event-loop turn. */
const RECORD_BYTES = 16 * 1024;
/** The uplink's send interval under load (MQTT_UPLINK_LINGER_MS)… */
const SEND_EVERY_MS = 100;
/** …unless a full request is due: its bytes per request at most (libs/gateway uplink.ts, batchBytes). */
const BATCH_BYTES = 900_000;
/** The uplink's three headers, at about their length (schema version, event type, meta JSON). */
const HEADERS = { 'x-schema-version': '3', 'x-event-type': 'gateway.device.message', 'x-device-message-meta': 'x'.repeat(140) };

const kafka = new Kafka({ clientId: 'bench-kafka-twin', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
// The gateway's producer settings (libs/bus kafka-bus.ts): idempotent, one request in flight, acks from all in-sync replicas.
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true }).catch(() => undefined);
await admin.disconnect();
await producer.connect();

const value = Buffer.alloc(RECORD_BYTES, 0x30);
let stopping = false;
let written = 0;
const startedAt = performance.now();
process.once('SIGTERM', () => (stopping = true));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
while (!stopping) {
  const sendStartedAt = performance.now();
  // What is due follows the time elapsed: a send that took long is made up by the next.
  let due = ((sendStartedAt - startedAt) / 1000) * bytesPerSecond - written;
  const messages = [];
  for (; due >= RECORD_BYTES && messages.length * RECORD_BYTES + RECORD_BYTES <= BATCH_BYTES; due -= RECORD_BYTES) messages.push({ key: 'bench-twin', value, headers: HEADERS });
  if (messages.length > 0) {
    await producer.send({ topic: TOPIC, acks: -1, messages });
    written += messages.length * RECORD_BYTES;
  }
  const wait = SEND_EVERY_MS - (performance.now() - sendStartedAt);
  if (wait > 0 && due < RECORD_BYTES) await new Promise((resolve) => setTimeout(resolve, wait));
}
const elapsedS = (performance.now() - startedAt) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ bytesPerSecond: written / elapsedS, cpuLoad: (cpu.user + cpu.system) / 1e6 / elapsedS })}\n`);
await producer.disconnect();
process.exit(0);
