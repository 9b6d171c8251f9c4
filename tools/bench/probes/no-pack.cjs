// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/no-pack.cjs"): the uplink's hooks
// stay, but no device message is packed — what the hooks alone cost.
const { join } = require('node:path');

setTimeout(() => {
  const { Uplink } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/gateway/src/uplink/uplink.js'));
  Uplink.prototype.deviceMessage = function () {};
}, 0).unref();
