// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/records.cjs"): every 2 s, on
// stderr, what the uplink sent as device-message records — how many, messages and parts per
// record, bytes per part — and what DeviceMessagePack#toRecord cost per call where it runs.
const { join } = require('node:path');

setTimeout(() => {
  const dist = join(__dirname, '../../../dist/apps/mqtt-gateway/libs');
  const { KafkaBus } = require(join(dist, 'bus/src/kafka-bus.js'));
  const { Topics } = require(join(dist, 'contracts/src/topics.js'));
  const { DEVICE_MESSAGE_META_HEADER } = require(join(dist, 'contracts/src/events/gateway-device-message/meta.js'));
  const { DeviceMessagePack } = require(join(dist, 'contracts/src/events/gateway-device-message/device-message-pack.js'));
  let records = 0, messages = 0, parts = 0, bytes = 0, made = 0, makingNs = 0n;
  const send = KafkaBus.prototype.send;
  KafkaBus.prototype.send = function (batch) {
    for (const record of batch) {
      if (record.topic !== Topics.GatewayDeviceMessageV1) continue;
      records++;
      messages += Number(/"count":(\d+)/.exec(String(record.headers[DEVICE_MESSAGE_META_HEADER]))?.[1] ?? 0);
      for (const part of Array.isArray(record.value) ? record.value : [record.value]) {
        parts++;
        bytes += part.length;
      }
    }
    return send.call(this, batch);
  };
  const toRecord = DeviceMessagePack.prototype.toRecord;
  DeviceMessagePack.prototype.toRecord = function () {
    const started = process.hrtime.bigint();
    const record = toRecord.call(this);
    makingNs += process.hrtime.bigint() - started;
    made++;
    return record;
  };
  setInterval(() => {
    if (records > 0) {
      process.stderr.write(`records ${records}, messages/record ${(messages / records).toFixed(1)}, parts/record ${(parts / records).toFixed(2)}, bytes/part ${(bytes / parts).toFixed(0)}, toRecord µs/call ${(Number(makingNs) / made / 1000).toFixed(1)}\n`);
    }
    records = messages = parts = bytes = made = 0;
    makingNs = 0n;
  }, 2000).unref();
}, 0).unref();
