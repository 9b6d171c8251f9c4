// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/no-concat.cjs", with
// null-send.cjs: the record's value is then never read): a record's value is its first range
// alone, never a Buffer.concat of a turn's ranges — what the concat costs.
const { join } = require('node:path');

setTimeout(() => {
  const { DeviceMessagePack } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/contracts/src/events/gateway-device-message/device-message-pack.js'));
  const toRecord = DeviceMessagePack.prototype.toRecord;
  DeviceMessagePack.prototype.toRecord = function () {
    this.closeRun();
    this.parts.length = Math.min(this.parts.length, 1);
    return toRecord.call(this);
  };
}, 0).unref();
