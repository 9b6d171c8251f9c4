// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/records.cjs"): every 2 s, on
// stderr, the device-message records the uplink made — how many, messages and parts per
// record, bytes per part — and what DeviceMessagePack#toRecord cost per call where it runs.
const { join } = require('node:path');

setTimeout(() => {
  const { DeviceMessagePack } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/contracts/src/events/gateway-device-message/device-message-pack.js'));
  let records = 0, messages = 0, parts = 0, bytes = 0, makingNs = 0n;
  const toRecord = DeviceMessagePack.prototype.toRecord;
  DeviceMessagePack.prototype.toRecord = function () {
    const started = process.hrtime.bigint();
    const record = toRecord.call(this);
    makingNs += process.hrtime.bigint() - started;
    records++;
    messages += this.count;
    for (const part of Array.isArray(record.value) ? record.value : [record.value]) {
      parts++;
      bytes += part.length;
    }
    return record;
  };
  setInterval(() => {
    if (records > 0) {
      process.stderr.write(`records ${records}, messages/record ${(messages / records).toFixed(1)}, parts/record ${(parts / records).toFixed(2)}, bytes/part ${(bytes / parts).toFixed(0)}, toRecord µs/call ${(Number(makingNs) / records / 1000).toFixed(1)}\n`);
    }
    records = messages = parts = bytes = 0;
    makingNs = 0n;
  }, 2000).unref();
}, 0).unref();
