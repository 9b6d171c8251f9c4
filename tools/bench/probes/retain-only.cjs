// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/retain-only.cjs"): nothing is
// packed, but each device message's socket read is held until the end of the turn, as a pack
// holds it — whether keeping a turn's reads alive is what costs.
const { join } = require('node:path');
const { setImmediate } = require('node:timers');

setTimeout(() => {
  const { Uplink } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/gateway/src/uplink/uplink.js'));
  let held = [];
  let scheduled = false;
  const release = () => {
    scheduled = false;
    held = [];
  };
  Uplink.prototype.deviceMessage = function (message, client, bytes) {
    if (bytes && held[held.length - 1] !== bytes.buffer) held.push(bytes.buffer);
    if (!scheduled) {
      scheduled = true;
      setImmediate(release);
    }
  };
}, 0).unref();
