// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/defer-pack.cjs"): the onPublished
// hook only notes each message; they are packed at the end of the turn, in a loop of their own
// (whether the packer's work inlined into the broker's publish path is what costs).
const { join } = require('node:path');
const { setImmediate } = require('node:timers');

setTimeout(() => {
  const { Uplink } = require(join(__dirname, '../../../dist/apps/mqtt-gateway/libs/gateway/src/uplink/uplink.js'));
  const pack = Uplink.prototype.deviceMessage;
  const noted = { messages: [], clients: [], buffers: [], starts: [], ends: [] };
  let scheduled = false;
  /** The Uplink whose messages are noted (one per gateway). */
  const owner = { uplink: undefined };
  const packNoted = () => {
    scheduled = false;
    const bytes = { buffer: undefined, start: 0, end: 0 };
    for (let i = 0; i < noted.messages.length; i++) {
      if (noted.buffers[i] === undefined) pack.call(owner.uplink, noted.messages[i], noted.clients[i], undefined);
      else {
        bytes.buffer = noted.buffers[i];
        bytes.start = noted.starts[i];
        bytes.end = noted.ends[i];
        pack.call(owner.uplink, noted.messages[i], noted.clients[i], bytes);
      }
    }
    for (const list of Object.values(noted)) list.length = 0;
  };
  Uplink.prototype.deviceMessage = function (message, client, bytes) {
    owner.uplink = this;
    noted.messages.push(message);
    noted.clients.push(client);
    noted.buffers.push(bytes?.buffer);
    noted.starts.push(bytes?.start ?? 0);
    noted.ends.push(bytes?.end ?? 0);
    if (!scheduled) {
      scheduled = true;
      setImmediate(packNoted);
    }
  };
}, 0).unref();
