// The load generator: one scenario per run, raw pre-encoded packets over `net`, pinned by the
// caller to its own core. Prints one JSON line with what it measured and its own CPU time.
//   node generator.mjs <scenario> <port> <json options>
import { connect as tcpConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CONNACK, FrameReader, PUBACK, PUBLISH, SUBACK, connectPacket, pubackFor, publishPacketId, publishTemplate, subscribePacket } from './frames.mjs';

const [scenario, portArg, optionsArg] = process.argv.slice(2);
const port = Number(portArg);
const options = JSON.parse(optionsArg ?? '{}');
const durationMs = options.durationMs ?? 5_000;
let sourceIndex = 0;

/** Subscribers connect here: another node of a cluster in the two-node scenarios. */
const subscriberPort = options.subscriberPort ?? port;

/** A flood writes this many PUBLISH packets at a time. */
const FLOOD_BATCH = 64;
/** QoS 1: messages the flood keeps unacknowledged, and its subscriber's Receive Maximum. */
const QOS1_WINDOW = Number(process.env.BENCH_QOS1_WINDOW ?? 1000);
if (!Number.isInteger(QOS1_WINDOW) || QOS1_WINDOW < FLOOD_BATCH || QOS1_WINDOW > 65_535) {
  throw new Error(`BENCH_QOS1_WINDOW must be an integer from ${FLOOD_BATCH} (one batch) to 65535, not ${process.env.BENCH_QOS1_WINDOW}`);
}

/** Opens a connection from a rotating loopback source address (spreads ephemeral ports). */
function open(onFrame, { clientId, version = 4, connectExtra = {}, to = port } = {}) {
  return new Promise((resolve, reject) => {
    const localAddress = `127.0.${1 + (Math.floor(sourceIndex / 250) % 250)}.${1 + (sourceIndex++ % 250)}`;
    const socket = tcpConnect({ port: to, host: '127.0.0.1', localAddress, noDelay: true });
    let connected = false;
    const reader = new FrameReader((type, flags, buf, start, end) => {
      if (!connected && type === CONNACK) {
        connected = true;
        const code = version === 5 ? buf[start + 1] : buf[start + 1];
        if (code !== 0) reject(new Error(`CONNACK ${code}`));
        else resolve(socket);
        return;
      }
      onFrame?.(type, flags, buf, start, end, socket);
    });
    socket.on('data', (chunk) => reader.push(chunk));
    socket.on('error', reject);
    socket.write(connectPacket(clientId ?? `bench-${process.pid}-${sourceIndex}`, version, connectExtra));
  });
}

async function subscribe(socket, topic, qos, version = 4, waitFor) {
  socket.write(subscribePacket(topic, qos, version));
  await waitFor();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tells the orchestrator a phase starts, so it samples the broker's CPU and memory at the
 * same instant, and records the generator's own CPU for the load phase.
 */
let loadCpu;
let loadWall;
function mark(phase) {
  if (phase === 'load-start') {
    loadCpu = process.cpuUsage();
    loadWall = Date.now();
  }
  if (phase === 'load-end') {
    const cpu = process.cpuUsage(loadCpu);
    generatorLoad = (cpu.user + cpu.system) / 1000 / (Date.now() - loadWall);
  }
  process.stdout.write(`${JSON.stringify({ phase })}\n`);
}
let generatorLoad = NaN;

/**
 * Latency percentiles are of the steady state: messages sent in the first second of a paced
 * load are delivered and counted but not timed — each broker process is new to the scenario,
 * and the gateway's hot paths are still being compiled then (its first ~200 ms of fan-in ran
 * at 20-30 ms), which says nothing about serving telemetry. Same rule for every broker.
 */
const WARM_UP_MS = 1_000;
/** Send time (in the scenario's clock) from which messages are timed; set when a paced load starts. */
let timedFrom = Infinity;

/**
 * BENCH_LATENCY_TIMELINE=1 (diagnostics, docs/benchmarks.md "Looking into a scenario"): the
 * fan-in also prints, on stderr, each 100 ms of wall-clock time in which a timed message
 * arrived more than LATE_MS after it was sent — when the tail happens, to line it up with a
 * GC trace, a scheduler trace or a probe in the broker (Date.now(), as those are).
 */
const LATE_MS = 20;
const lateness = process.env.BENCH_LATENCY_TIMELINE === '1' ? new Map() : undefined;

function noteLatency(latencies, latency) {
  latencies.push(latency);
  if (!lateness) return;
  const bucket = Math.floor(Date.now() / 100);
  const seen = lateness.get(bucket) ?? { arrived: 0, late: 0, worst: 0 };
  seen.arrived++;
  if (latency > LATE_MS) seen.late++;
  seen.worst = Math.max(seen.worst, latency);
  lateness.set(bucket, seen);
}

function printLateness() {
  if (!lateness) return;
  const late = [...lateness].filter(([, seen]) => seen.late > 0);
  const rows = late.map(([bucket, { arrived, late: count, worst }]) => `  ${new Date(bucket * 100).toISOString()}  arrived ${arrived}, late ${count}, worst ${worst.toFixed(1)} ms`);
  process.stderr.write(`latency timeline: ${late.length} of ${lateness.size} 100-ms slots had messages later than ${LATE_MS} ms\n${rows.join('\n')}\n`);
}

/** A subscriber that counts PUBLISH frames (acking QoS 1) and optionally records latency. */
async function subscriber(topic, qos, { latencies } = {}) {
  const state = { received: 0, subacked: false };
  // PUBACKs of one read go out in one write, flushed right after the frames are split.
  let acks = [];
  const socket = await open(
    (type, flags, buf, start, end, sock) => {
      if (type === SUBACK) state.subacked = true;
      else if (type === PUBLISH) {
        state.received++;
        if (((flags >> 1) & 3) === 1) {
          if (acks.length === 0) queueMicrotask(() => (sock.write(acks.length === 1 ? acks[0] : Buffer.concat(acks)), (acks = [])));
          acks.push(pubackFor(publishPacketId(buf, start)));
        }
        const sentAt = latencies ? buf.readDoubleBE(end - 8) : 0;
        if (latencies && sentAt >= timedFrom) noteLatency(latencies, performance.now() - sentAt);
      }
    },
    { version: 5, connectExtra: { properties: { receiveMaximum: QOS1_WINDOW } }, to: subscriberPort },
  );
  await subscribe(socket, topic, qos, 5, async () => {
    while (!state.subacked) await sleep(5);
  });
  return { socket, state };
}

/**
 * Publishes as fast as the socket takes it; QoS 1 keeps at most QOS1_WINDOW messages
 * unacknowledged. A full window resumes on the PUBACK that makes room for a batch, not on a
 * timer: a 1 ms timer (the shortest) left the broker idle ~10% of the QoS 1 flood, waiting
 * on the generator rather than working.
 */
async function flood(topic, qos, stopAt) {
  const sent = { count: 0, acked: 0 };
  const template = publishTemplate(topic, 16, qos);
  const roomForABatch = () => qos === 0 || sent.count - sent.acked <= QOS1_WINDOW - FLOOD_BATCH;
  /** The pump, while it waits for room. */
  let paused;
  const resume = () => {
    const pump = paused;
    paused = undefined;
    pump?.();
  };
  const socket = await open((type) => {
    if (type !== PUBACK) return;
    sent.acked++;
    if (paused && roomForABatch()) queueMicrotask(resume);
  });
  let nextId = 1;
  const frameLength = template.bytes.length;
  const qos0Batch = Buffer.concat(Array.from({ length: FLOOD_BATCH }, () => template.bytes));
  await new Promise((resolve) => {
    const pump = () => {
      while (Date.now() < stopAt) {
        if (!roomForABatch()) {
          paused = pump;
          return;
        }
        // QoS 0 reuses one pre-built batch; QoS 1 copies it and stamps fresh packet ids.
        let batch = qos0Batch;
        if (qos === 1) {
          batch = Buffer.from(qos0Batch);
          for (let i = 0; i < FLOOD_BATCH; i++) {
            batch.writeUInt16BE(nextId, i * frameLength + template.idOffset);
            nextId = nextId === 65535 ? 1 : nextId + 1;
          }
        }
        sent.count += FLOOD_BATCH;
        if (!socket.write(batch)) {
          socket.once('drain', pump);
          return;
        }
      }
      resolve();
    };
    // A broker that stops acking must not hold the flood past its end.
    setTimeout(resume, stopAt - Date.now());
    pump();
  });
  return { socket, sent, bytes: sent.count * frameLength };
}

/**
 * Waits until every expected message arrived, or until nothing more arrives for a second
 * (at most 20 s): what is still missing then is lost, not backlog.
 */
async function settle(count, expected) {
  const deadline = Date.now() + 20_000;
  let last = -1;
  let still = Date.now();
  while (Date.now() < deadline && count() < expected) {
    const now = count();
    if (now !== last) {
      last = now;
      still = Date.now();
    } else if (Date.now() - still >= 1_000) return;
    await sleep(50);
  }
}

/** Waits until a publish reaches the subscriber: in a cluster, routes reach other nodes asynchronously. */
async function untilRouted(topic, qos, sub) {
  if (subscriberPort === port) return;
  const probe = await open();
  const frame = publishTemplate(topic, 16, 0).bytes;
  const deadline = Date.now() + 10_000;
  while (sub.state.received === 0 && Date.now() < deadline) {
    probe.write(frame);
    await sleep(50);
  }
  probe.destroy();
  await sleep(200);
  sub.state.received = 0;
}

async function oneToOne(qos) {
  const sub = await subscriber('bench/1to1', qos);
  await untilRouted('bench/1to1', qos, sub);
  mark('load-start');
  const startedAt = Date.now();
  const { socket, sent, bytes } = await flood('bench/1to1', qos, startedAt + durationMs);
  const elapsed = Date.now() - startedAt;
  const receivedAtEnd = sub.state.received;
  mark('load-end');
  await settle(() => sub.state.received, sent.count);
  socket.destroy();
  sub.socket.destroy();
  return { delivered: receivedAtEnd, rate: (receivedAtEnd / elapsed) * 1000, sent: sent.count, lost: sent.count - sub.state.received, publishedBytesPerSecond: (bytes / elapsed) * 1000 };
}

async function fanOut() {
  const subscribers = [];
  for (let i = 0; i < (options.subscribers ?? 100); i++) subscribers.push(await subscriber('bench/fanout', 0));
  mark('load-start');
  const startedAt = Date.now();
  const { socket, sent, bytes } = await flood('bench/fanout', 0, startedAt + durationMs);
  const elapsed = Date.now() - startedAt;
  const total = () => subscribers.reduce((n, s) => n + s.state.received, 0);
  const deliveredAtEnd = total();
  mark('load-end');
  await settle(total, sent.count * subscribers.length);
  socket.destroy();
  subscribers.forEach((s) => s.socket.destroy());
  return { delivered: deliveredAtEnd, rate: (deliveredAtEnd / elapsed) * 1000, sent: sent.count, lost: sent.count * subscribers.length - total(), publishedBytesPerSecond: (bytes / elapsed) * 1000 };
}

/** Calls `onTick` every `tickMs` for the scenario's duration; resolves when it is over. */
function forTheDuration(tickMs, onTick) {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() - startedAt >= durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      onTick();
    }, tickMs);
  });
}

/** Opens `count` publisher connections, a hundred at a time. */
async function openPublishers(count) {
  const sockets = [];
  for (let i = 0; i < count; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open()))));
  return sockets;
}

/**
 * Publishes `perSecond` QoS 0 messages per socket, paced every 10 ms, round robin, for the
 * scenario's duration; each payload ends with a timestamp from `now()`. What is due follows
 * the time elapsed, not the number of ticks (timers fire late under load: counting ticks
 * offered ~4% less than asked). Resolves to the count sent and the bytes they took.
 */
async function pacedFanIn(sockets, topicOf, perSecond, now) {
  const templates = sockets.map((_, i) => publishTemplate(topicOf(i), 16, 0));
  const perMs = (sockets.length * perSecond) / 1000;
  const startedAt = performance.now();
  let sent = 0;
  let bytes = 0;
  let next = 0;
  timedFrom = now() + WARM_UP_MS;
  await forTheDuration(10, () => {
    let due = Math.floor((performance.now() - startedAt) * perMs) - sent;
    while (due >= 1) {
      const frame = Buffer.from(templates[next].bytes);
      frame.writeDoubleBE(now(), frame.length - 8);
      sockets[next].write(frame);
      next = (next + 1) % sockets.length;
      due--;
      sent++;
      bytes += frame.length;
    }
  });
  return { sent, bytes };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function fanIn() {
  const latencies = [];
  const sub = await subscriber('bench/fanin/+', 0, { latencies });
  const sockets = await openPublishers(options.publishers ?? 1000);
  mark('load-start');
  const { sent, bytes } = await pacedFanIn(sockets, (i) => `bench/fanin/${i}`, options.rate ?? 10, () => performance.now());
  await sleep(1_000);
  mark('load-end');
  sockets.forEach((s) => s.destroy());
  sub.socket.destroy();
  latencies.sort((a, b) => a - b);
  printLateness();
  return {
    delivered: sub.state.received,
    sent,
    lost: sent - sub.state.received,
    rate: (sub.state.received / durationMs) * 1000,
    publishedBytesPerSecond: (bytes / durationMs) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/**
 * Overload: first the broker's own saturation rate (one publisher flooding one subscriber,
 * QoS 0), then 20 publishers offering twice that rate to one subscriber. A publisher whose
 * socket holds more than 1 MB unsent skips its share of a tick (the broker is pushing back);
 * what counts is how much the broker still delivers, and the memory it takes doing so.
 */
async function overload() {
  const calibrate = await subscriber('bench/over/peak', 0);
  const calibrateFor = Math.min(durationMs, 3_000);
  let startedAt = Date.now();
  const peakRun = await flood('bench/over/peak', 0, startedAt + calibrateFor);
  const peak = (calibrate.state.received / (Date.now() - startedAt)) * 1000;
  await settle(() => calibrate.state.received, peakRun.sent.count);
  peakRun.socket.destroy();
  calibrate.socket.destroy();

  const sub = await subscriber('bench/over/+', 0);
  const publishers = 20;
  const sockets = await Promise.all(Array.from({ length: publishers }, () => open()));
  const BATCH = 32;
  const batches = sockets.map((_, i) => {
    const t = publishTemplate(`bench/over/${i}`, 16, 0);
    return Buffer.concat(Array.from({ length: BATCH }, () => t.bytes));
  });
  const offered = 2 * peak;
  const tickMs = 10;
  let due = 0;
  let sent = 0;
  let refused = 0;
  let next = 0;
  mark('load-start');
  startedAt = Date.now();
  await forTheDuration(tickMs, () => {
    due += (offered * tickMs) / 1000;
    while (due >= BATCH) {
      const socket = sockets[next];
      if (socket.writableLength > 1024 * 1024) refused += BATCH;
      else {
        socket.write(batches[next]);
        sent += BATCH;
      }
      next = (next + 1) % publishers;
      due -= BATCH;
    }
  });
  const elapsed = Date.now() - startedAt;
  const delivered = sub.state.received;
  mark('load-end');
  sockets.forEach((s) => s.destroy());
  sub.socket.destroy();
  const rate = (delivered / elapsed) * 1000;
  return { delivered, sent, refused, offeredRate: offered, peakRate: peak, rate, ofPeakPct: (100 * rate) / peak };
}

/**
 * The topic and payload of each message a `gateway.device.message.v1` record carries: MQTT
 * PUBLISH packets back to back, in the header's protocol version (DeviceMessagePack in
 * libs/contracts; no validation — the contract tests do that).
 */
function* deviceMessageFrames(value, protocolVersion) {
  let offset = 0;
  while (value && offset < value.length) {
    let length = 0;
    let multiplier = 1;
    let p = offset + 1;
    for (let byte = 0x80; byte & 0x80; multiplier *= 128) length += ((byte = value[p++]) & 0x7f) * multiplier;
    const end = p + length;
    const qos = (value[offset] >> 1) & 3;
    const topicLength = value.readUInt16BE(p);
    const topic = value.toString('utf8', p + 2, p + 2 + topicLength);
    p += 2 + topicLength + (qos > 0 ? 2 : 0);
    if (protocolVersion === 5) {
      let propertiesLength = 0;
      multiplier = 1;
      for (let byte = 0x80; byte & 0x80; multiplier *= 128) propertiesLength += ((byte = value[p++]) & 0x7f) * multiplier;
      p += propertiesLength;
    }
    yield { topic, payload: value.subarray(p, end) };
    offset = end;
  }
}

/**
 * The uplink: `publishers` devices at `rate` msg/s each, no MQTT subscriber; a Kafka consumer
 * (in this process) reads `gateway.device.message.v1` from where it ended before the load.
 * Two latencies per message, both from the epoch-ms timestamp at the end of its payload: to
 * Kafka's append (the topic is switched to LogAppendTime for the run, so each record carries
 * the time the broker wrote it; same machine, same clock) and to this consumer (which adds
 * the consumer's fetch cycle and this busy process's event loop).
 */
async function uplink() {
  const { Kafka, logLevel, ConfigResourceTypes } = (await import('kafkajs')).default;
  const kafka = new Kafka({ brokers: options.kafkaBrokers, clientId: `bench-${process.pid}`, logLevel: logLevel.NOTHING });
  const topic = 'gateway.device.message.v1';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true }).catch(() => undefined);
  const topicConfig = (configEntries) => admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }] });
  await topicConfig([{ name: 'message.timestamp.type', value: 'LogAppendTime' }]);
  const start = await admin.fetchTopicOffsets(topic);
  const marker = `bench/uplink/${process.pid}/`;
  const latencies = [];
  const appendLatencies = [];
  let received = 0;
  const consumer = kafka.consumer({ groupId: `bench-uplink-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = performance.timeOrigin + performance.now();
      for (const message of batch.messages) {
        const appendedAt = Number(message.timestamp);
        const { protocolVersion } = JSON.parse(message.headers['iot-mqtt'].toString());
        for (const { topic, payload } of deviceMessageFrames(message.value, protocolVersion)) {
          if (!topic.startsWith(marker) || payload.length < 8) continue;
          received++;
          const sentAt = payload.readDoubleBE(payload.length - 8);
          if (sentAt < timedFrom) continue;
          latencies.push(now - sentAt);
          appendLatencies.push(appendedAt - sentAt);
        }
      }
    },
  });
  for (const { partition, offset } of start) consumer.seek({ topic, partition, offset });
  await sleep(2_000);

  const sockets = await openPublishers(options.publishers ?? 1000);
  mark('load-start');
  const { sent } = await pacedFanIn(sockets, (i) => `${marker}${i}`, options.rate ?? 30, () => performance.timeOrigin + performance.now());
  mark('load-end');
  await settle(() => received, sent);
  sockets.forEach((s) => s.destroy());
  await consumer.disconnect();
  await topicConfig([]); // back to the broker's default (CreateTime)
  await admin.disconnect();
  latencies.sort((a, b) => a - b);
  appendLatencies.sort((a, b) => a - b);
  return {
    delivered: received,
    sent,
    lost: sent - received,
    rate: (received / durationMs) * 1000,
    appendP50: percentile(appendLatencies, 0.5),
    appendP99: percentile(appendLatencies, 0.99),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function idle() {
  const count = options.connections ?? 10_000;
  const sockets = [];
  mark('load-start');
  const startedAt = Date.now();
  const batch = 500;
  for (let i = 0; i < count; i += batch) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open()))));
  }
  const connectMs = Date.now() - startedAt;
  mark('load-end');
  // Hold every connection idle while the orchestrator measures memory and idle CPU.
  await sleep(1_000);
  mark('idle-start');
  await sleep(options.holdMs ?? 5_000);
  mark('idle-end');
  sockets.forEach((s) => s.destroy());
  return { connections: sockets.length, connectMs, rate: (sockets.length / connectMs) * 1000 };
}

const scenarios = { 'qos0-1to1': () => oneToOne(0), 'qos1-1to1': () => oneToOne(1), fanout: fanOut, fanin: fanIn, overload, uplink, idle };

const result = await scenarios[scenario]();
process.stdout.write(`${JSON.stringify({ phase: 'done', ...result, generatorLoad })}\n`);
process.exit(0);
