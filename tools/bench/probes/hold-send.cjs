// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/hold-send.cjs"): KafkaBus#send
// holds each batch for HOLD_MS (the bench passes BENCH_GW_HOLD_MS; default 100, about what a
// batch lives with the uplink's 100 ms linger) and then drops it — the records live as long
// as they do when Kafka takes them, but kafkajs never runs and Kafka stays idle: whether what
// the real send costs beyond `null-send.cjs` is the records' longer life (GC) or kafkajs's work.
const { join } = require('node:path');

const holdMs = Number(process.env.HOLD_MS ?? 100);
setTimeout(() => {
  const { KafkaBus } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/bus/src/kafka-bus.js'));
  KafkaBus.prototype.send = (records) => new Promise((resolve) => setTimeout(() => resolve(records.length), holdMs));
}, 0).unref();
