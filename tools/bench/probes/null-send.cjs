// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/null-send.cjs"): KafkaBus#send
// drops the records at once — the uplink runs, kafkajs never does, and Kafka stays idle
// (docs/benchmarks.md, "Where the uplink's cost goes").
const { join } = require('node:path');

setTimeout(() => {
  const { KafkaBus } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/bus/src/kafka-bus.js'));
  KafkaBus.prototype.send = async function () {};
}, 0).unref();
