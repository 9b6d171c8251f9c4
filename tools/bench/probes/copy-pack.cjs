// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/copy-pack.cjs", with
// null-send.cjs, as the docs' set ran it): a pack copies
// each packet into a buffer of its own at once instead of holding a view of the socket read
// until the end of the turn — whether the views (and the concat of them) are what cost.
const { join } = require('node:path');

setTimeout(() => {
  const { DeviceMessagePack } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/contracts/src/events/gateway-device-message/device-message-pack.js'));
  DeviceMessagePack.prototype.addPacket = function (buffer, start, end) {
    const length = end - start;
    let own = this.own;
    if (own === undefined || this.ownEnd + length > own.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(16 * 1024, 2 * (this.ownEnd ?? 0) + length));
      if (own !== undefined) own.copy(grown, 0, 0, this.ownEnd);
      else this.ownEnd = 0;
      this.own = own = grown;
    }
    buffer.copy(own, this.ownEnd, start, end);
    this.ownEnd += length;
    this.bytes += length;
    this.count++;
  };
  const toRecord = DeviceMessagePack.prototype.toRecord;
  DeviceMessagePack.prototype.toRecord = function () {
    if (this.own !== undefined) this.parts.push(this.own.subarray(0, this.ownEnd));
    return toRecord.call(this);
  };
}, 0).unref();
