// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/concat.cjs"): a record's
// value is the Buffer.concat of its ranges again, a fresh buffer per record, as the gateway
// made it before OutboundRecord took values in parts — what the concat costs, A/B in one hour.
const { join } = require('node:path');

setTimeout(() => {
  const { DeviceMessagePack } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/contracts/src/events/gateway-device-message/device-message-pack.js'));
  const toRecord = DeviceMessagePack.prototype.toRecord;
  DeviceMessagePack.prototype.toRecord = function () {
    const record = toRecord.call(this);
    if (Array.isArray(record.value)) record.value = Buffer.concat(record.value);
    return record;
  };
}, 0).unref();
