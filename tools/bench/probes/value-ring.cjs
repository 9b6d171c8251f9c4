// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/value-ring.cjs"): each record's
// ranges are copied, at the end of the turn, into one 4 MB buffer reused round and round, so
// the socket reads die young instead of living until the produce request is answered (~100 ms
// and more) and being promoted — whether the reads the uplink holds are what slows the QoS 1
// flood. Measuring only: the ring is reused without waiting for the records to be sent.
const { join } = require('node:path');

setTimeout(() => {
  const { DeviceMessagePack } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/contracts/src/events/gateway-device-message/device-message-pack.js'));
  const ring = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  let at = 0;
  const toRecord = DeviceMessagePack.prototype.toRecord;
  DeviceMessagePack.prototype.toRecord = function () {
    const record = toRecord.call(this);
    const parts = Array.isArray(record.value) ? record.value : [record.value];
    let length = 0;
    for (const part of parts) length += part.length;
    if (length > ring.length / 4) return record;
    if (at + length > ring.length) at = 0;
    const start = at;
    for (const part of parts) {
      ring.set(part, at);
      at += part.length;
    }
    record.value = ring.subarray(start, at);
    return record;
  };
}, 0).unref();
