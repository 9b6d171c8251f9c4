import type { Duplex } from 'node:stream';
import mqtt, { IPacket, Packet, Parser } from 'mqtt-packet';
import type { Broker } from './broker';
import type { TrafficCounters } from './broker-stats';
import { ClientInfo } from './hooks';
import { Backpressured, FlowGate, GateWaiter } from './flow-gate';
import { FrameBounds, decodeFrame, frameBounds, partialFrameLength } from './frame-decoder';
import { dispatch } from './handlers/dispatch';
import type { InboundPublish } from './inbound-packet';
import { ReasonCode } from './reason-codes';
import { Session } from './session/session';

/** Bytes queued on a socket beyond which it counts as congested: its publishers are paused. */
const CONGESTED_BYTES = 1024 * 1024;
/**
 * Packets read while a hook holds the connection (e.g. the uplink holding a QoS 1 publisher)
 * wait in the backlog; the socket keeps being read — so PINGREQ is still answered and the
 * keepalive holds on both sides — until this many bytes wait, then it is paused.
 */
const BACKLOG_PAUSE_BYTES = 1024 * 1024;
/** The longest a Node timer waits (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;
/** Bytes queued beyond which QoS 0 deliveries to it are dropped outright (a stuck consumer). */
const STUCK_BYTES = 8 * 1024 * 1024;
/** Longest a publisher is paused for one slow subscriber. */
const PAUSE_LIMIT_MS = 1_000;
/**
 * Bytes queued for one write beyond which they go at once instead of at the end of the turn.
 * A turn can read many chunks (libuv reads a busy socket up to 32 times per poll), and every
 * packet queued for the end of it stays alive until then: a 2 MB turn kept ~34,000 small
 * Buffers across young collections, which promoted them and made the old generation collect
 * every second or faster — a fifth of a QoS 0 flood's CPU. 64 KiB per write costs one system
 * call per ~2,000 small packets.
 */
const FLUSH_BYTES = 64 * 1024;

// mqtt-packet otherwise fills, on its first generate(), a cache of 65,536 two-byte Buffers
// (one per packet id) that lives as long as the process: 131,072 old-generation objects that
// every major GC marks again, for packets (acknowledgements, SUBACK, ...) that are rare next to
// the PUBLISHes the broker encodes itself. A Buffer for the odd packet id is cheaper.
mqtt.writeToStream.cacheNumbers = false;

/**
 * One network connection speaking MQTT: parses packets, hands each to its handler in
 * order, and writes replies coalesced per event-loop turn (in writes of 64 KiB at most).
 * Protocol logic lives in handlers/; socket I/O lives here.
 */
export class Connection implements Backpressured, GateWaiter {
  /** Set by CONNECT; undefined until then. */
  client?: ClientInfo;
  /** The counters of the client's project, set with `client`. */
  traffic?: TrafficCounters;
  /** When its CONNECT's credentials were checked (epoch ms): which registry changes it predates. */
  authenticatedAt = 0;
  session?: Session;
  protocolVersion: 3 | 4 | 5 = 4;
  keepAliveMs = 0;
  lastActivity = Date.now();
  /** Receive Maximum the client announced (5.0), i.e. our in-flight window towards it. */
  clientReceiveMaximum = 65535;
  /** Maximum Packet Size the client announced (5.0). */
  clientMaximumPacketSize = Number.MAX_SAFE_INTEGER;
  /** Topic aliases the client set up towards us (5.0). */
  readonly inboundAliases = new Map<number, string>();
  /** Topic aliases we set up towards the client, up to its Topic Alias Maximum (5.0). */
  readonly outboundAliases = new Map<string, number>();
  clientTopicAliasMaximum = 0;
  /** Whether CONNECT asked for a clean start (3.1.1: clean session). */
  cleanStart = true;
  /** Set when the client sent DISCONNECT normally: no will. */
  cleanDisconnect = false;
  closed = false;

  /**
   * mqtt-packet's parser, only while needed: for CONNECT, for packets the fast decoder
   * leaves to it, and while it holds part of a packet. Idle connections do without it.
   */
  private parser?: Parser;
  /** Set once the full parser was needed after CONNECT: this client sends such packets, keep it. */
  private keepParser = false;
  private readonly bounds: FrameBounds = { bodyStart: 0, end: 0 };
  /**
   * A frame the chunks so far cut short, to complete with the next ones: its parts, their
   * bytes, and the bytes the whole frame takes (0 while its fixed header is incomplete).
   */
  private carry?: { parts: Buffer[]; bytes: number; frame: number };
  /** The single whole frame being handed to the parser, if that is what it is given. */
  private wholeFrame?: Buffer;
  private readonly pendingWrites: Buffer[] = [];
  private pendingBytes = 0;
  private readonly awaiting = new Set<FlowGate>();
  /** What publishers wait on while this connection's socket, or its session's queue, is congested. */
  readonly gate = new FlowGate(() => this.congested || this.queueFilling);
  private drainArmed = false;
  private pauseTimer?: NodeJS.Timeout;
  /** Closes the connection when its credentials expire (closeAt). */
  private endTimer?: NodeJS.Timeout;
  private flushScheduled = false;
  private readonly backlog: Packet[] = [];
  /** Bytes of the packets in the backlog: past BACKLOG_PAUSE_BYTES the socket is paused. */
  private backlogBytes = 0;
  private busy = false;
  private running = false;
  private readonly openedAt = Date.now();
  /** Bucket of the broker's KeepAliveWheel this connection sits in. */
  wheelSlot?: number;

  constructor(
    readonly broker: Broker,
    readonly stream: Duplex,
    readonly peerAddress: string,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', () => this.close('socket error'));
    stream.on('close', () => this.close('connection lost'));
    stream.on('end', () => this.close('connection closed by client'));
    broker.keepAlive.schedule(this);
  }

  /**
   * When this connection is dead unless it speaks: CONNECT within the connect timeout, then
   * a packet within 1.5 keepalive intervals [MQTT-3.1.2-22]; never with keepalive 0.
   */
  deadline(): number {
    if (!this.client) return this.openedAt + this.broker.options.connectTimeoutMs;
    return this.keepAliveMs > 0 ? this.lastActivity + this.keepAliveMs * 1.5 : Infinity;
  }

  /** Called by the wheel when the deadline passed. */
  expire(): void {
    if (this.client) this.close('keepalive timeout', ReasonCode.KeepAliveTimeout);
    else this.close('no CONNECT in time');
  }

  get connected(): boolean {
    return this.client !== undefined && !this.closed;
  }

  /** Whether writes pile up on the socket (the client reads slower than we send). */
  get congested(): boolean {
    return this.stream.writableLength + this.pendingBytes > CONGESTED_BYTES;
  }

  /** Whether its session's QoS 1/2 queue is half full or more: publishers to it are slowed from here on. */
  get queueFilling(): boolean {
    return (this.session?.queue.length ?? 0) >= this.broker.options.maxQueuedMessages / 2;
  }

  /** Whether the client has stopped reading altogether: QoS 0 to it is dropped. */
  get stuck(): boolean {
    return this.stream.writableLength + this.pendingBytes > STUCK_BYTES;
  }

  /**
   * Backpressure: stop handling this (publishing) connection's packets until `gate` opens —
   * a subscriber's socket drained or it made progress on its queue, another node took what
   * was forwarded to it — so a slow consumer slows its publishers instead of growing memory
   * or losing messages. Packets already read wait in order in the backlog. A pause lasts at
   * most PAUSE_LIMIT_MS: a subscriber that stopped reading altogether must not stall its
   * publishers (its messages are dropped instead).
   */
  waitFor(gate: FlowGate): void {
    if (gate === this.gate || this.awaiting.has(gate) || this.closed) return;
    this.awaiting.add(gate);
    gate.add(this);
    this.stream.pause();
    if (!this.pauseTimer) {
      this.pauseTimer = setTimeout(() => {
        this.pauseTimer = undefined;
        for (const waited of [...this.awaiting]) {
          waited.delete(this);
          this.released(waited);
        }
      }, PAUSE_LIMIT_MS);
      this.pauseTimer.unref();
    }
  }

  /** `gate` opened (or what it guards is gone): carry on once nothing else is awaited. */
  released(gate: FlowGate): void {
    this.awaiting.delete(gate);
    if (this.awaiting.size > 0 || this.closed) return;
    clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    // Inside run() (released synchronously by a handler) the loop itself carries on.
    if (this.busy || this.running) return;
    const queued = this.nextInBacklog();
    if (queued) this.run(queued);
    if (!this.busy && this.awaiting.size === 0 && !this.closed) this.stream.resume();
  }

  /** Releases the publishers paused on this connection, now or when the socket drains. */
  private releaseWaiters(): void {
    if (this.gate.waiting === 0) return;
    const release = () => this.gate.open();
    if (this.closed || !this.stream.writableNeedDrain) release();
    else if (!this.drainArmed) {
      this.drainArmed = true;
      this.stream.once('drain', () => {
        this.drainArmed = false;
        release();
      });
    }
  }

  /** Called by the CONNECT handler once the client is accepted. */
  accept(client: ClientInfo, session: Session): void {
    this.client = client;
    this.traffic = this.broker.stats.project(client.projectId);
    this.session = session;
    this.broker.keepAlive.schedule(this);
  }

  /**
   * Closes the connection at `at` (epoch ms) — when its credentials expire. Timers run at
   * most ~24.8 days at a time, so a later end is reached in steps.
   */
  closeAt(at: number, reason: string, reasonCode: number): void {
    clearTimeout(this.endTimer);
    const wait = at - Date.now();
    if (wait <= 0) {
      this.close(reason, reasonCode);
      return;
    }
    this.endTimer = setTimeout(() => this.closeAt(at, reason, reasonCode), Math.min(wait, MAX_TIMER_MS));
    this.endTimer.unref();
  }

  /** Switches the parser and writer to the CONNECT's protocol version. */
  setProtocolVersion(version: 3 | 4 | 5): void {
    this.protocolVersion = version;
    if (this.parser) setParserVersion(this.parser, version);
  }

  /** Encodes and queues a packet; the packets of one event-loop turn go out together, 64 KiB at most per write. */
  send(packet: IPacket & { cmd: string }): number {
    if (this.closed) return 0;
    const bytes = mqtt.generate(packet as Packet, { protocolVersion: this.protocolVersion });
    this.writeRaw(bytes);
    return bytes.length;
  }

  /** Queues already-encoded bytes. */
  writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    this.pendingWrites.push(bytes);
    this.pendingBytes += bytes.length;
    const stats = this.broker.stats;
    stats.bytesOut += bytes.length;
    stats.packetsOut++;
    const traffic = this.traffic;
    if (traffic) {
      traffic.bytesOut += bytes.length;
      traffic.packetsOut++;
    }
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /**
   * Ends the connection. With a 5.0 client that completed CONNECT and a reason code, a
   * DISCONNECT is sent first (server-initiated disconnect, spec 3.14).
   */
  close(reason: string, reasonCode?: number): void {
    if (this.closed) return;
    if (reasonCode !== undefined && this.protocolVersion === 5 && this.client) {
      this.send({ cmd: 'disconnect', reasonCode, properties: { reasonString: reason } } as IPacket & { cmd: 'disconnect' });
    }
    this.flush();
    this.closed = true;
    clearTimeout(this.pauseTimer);
    clearTimeout(this.endTimer);
    this.broker.keepAlive.remove(this);
    this.releaseWaiters();
    for (const gate of this.awaiting) gate.delete(this);
    this.stream.end();
    // Give the final bytes a moment, then make sure the socket is gone.
    setTimeout(() => this.stream.destroy(), 1_000).unref();
    this.broker.onConnectionClosed(this, reason);
  }

  /** Writes what is queued now (the end-of-turn write, if still scheduled, then finds less or nothing). */
  private flush(): void {
    if (this.pendingWrites.length === 0 || this.stream.destroyed) return;
    const chunk = this.pendingWrites.length === 1 ? this.pendingWrites[0] : Buffer.concat(this.pendingWrites, this.pendingBytes);
    this.pendingWrites.length = 0;
    this.pendingBytes = 0;
    this.stream.write(chunk);
    this.releaseWaiters();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.broker.stats.bytesIn += chunk.length;
    if (this.traffic) this.traffic.bytesIn += chunk.length;
    if (this.carry) {
      const carry = this.carry;
      carry.parts.push(chunk);
      carry.bytes += chunk.length;
      // Joined once the frame is whole (or its header may be): one copy, however many chunks.
      if (carry.frame > 0 && carry.bytes < carry.frame) return;
      chunk = Buffer.concat(carry.parts, carry.bytes);
      this.carry = undefined;
    }
    if (!this.client || this.parserHoldsData()) {
      this.parseFully(chunk);
      return;
    }
    // Whole frames of the common kinds are decoded in place; the rest of the chunk, from the
    // first frame the fast decoder declines or the first incomplete one, goes to the parser.
    const max = this.broker.options.maxPacketSize;
    let pos = 0;
    while (pos < chunk.length && !this.closed) {
      const bounds = frameBounds(chunk, pos, this.bounds);
      if (!bounds) break;
      if (bounds.end - bounds.bodyStart > max) {
        this.close(`packet of ${bounds.end - bounds.bodyStart} bytes exceeds the maximum of ${max}`, ReasonCode.PacketTooLarge);
        return;
      }
      const packet = decodeFrame(chunk, pos, bounds, this.protocolVersion);
      if (packet) this.enqueue(packet);
      else {
        // One whole frame for the parser: a PUBLISH it emits keeps its bytes (InboundPublish).
        this.wholeFrame = chunk.subarray(pos, bounds.end);
        this.parseFully(this.wholeFrame);
        this.wholeFrame = undefined;
      }
      pos = bounds.end;
    }
    if (pos < chunk.length && !this.closed) {
      // A frame cut by the chunk's end waits for the rest here, so the next chunk stays on the
      // fast path (handing the tail to the parser would send every later chunk through it).
      const rest = pos === 0 ? chunk : chunk.subarray(pos);
      const frame = partialFrameLength(chunk, pos, max);
      if (frame === undefined) this.parseFully(rest);
      else this.carry = { parts: [rest], bytes: rest.length, frame };
    }
    // After CONNECT, a client that only sends the common packets needs no parser of its own.
    if (this.parser && this.client && !this.keepParser && !this.parserHoldsData()) this.parser = undefined;
  }

  private parseFully(bytes: Buffer): void {
    if (!this.parser) {
      this.parser = mqtt.parser({ protocolVersion: this.protocolVersion });
      setParserVersion(this.parser, this.protocolVersion);
      this.parser.on('packet', (packet: Packet) => {
        if (packet.cmd === 'publish' && this.wholeFrame) {
          const publish = packet as InboundPublish;
          publish.bytes = this.wholeFrame;
          publish.bytesStart = 0;
          publish.bytesEnd = this.wholeFrame.length;
        }
        this.enqueue(packet);
      });
      this.parser.on('error', (error: Error) => this.onParseError(error));
    }
    if (this.client) this.keepParser = true;
    this.parser.parse(bytes);
    // The parser buffers a packet until it is whole: refuse oversize ones as soon as their
    // length is known instead of buffering them ([MQTT-3.1.2-24] for 5.0; a limit for all).
    const pending = (this.parser as unknown as { packet: { length: number } }).packet;
    if (pending.length > this.broker.options.maxPacketSize) {
      this.close(`packet of ${pending.length} bytes exceeds the maximum of ${this.broker.options.maxPacketSize}`, ReasonCode.PacketTooLarge);
    }
  }

  /** Whether the parser holds part of a packet (so the next bytes must go to it). */
  private parserHoldsData(): boolean {
    const parser = this.parser as unknown as { _list: { length: number }; packet: { length: number } } | undefined;
    return parser !== undefined && (parser._list.length > 0 || parser.packet.length !== -1);
  }

  private onParseError(error: Error): void {
    if (this.closed) return;
    if (!this.client && /protocol version/i.test(error.message)) {
      // [MQTT-3.1.2-2] unsupported version: CONNACK 0x01 (3.1.1 format, the client's best guess), then close.
      this.writeRaw(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      this.close('unsupported protocol version');
      return;
    }
    this.close(`malformed packet: ${error.message}`, ReasonCode.MalformedPacket);
  }

  /** Handles packets strictly in order, pausing the socket while an async hook runs. */
  private enqueue(packet: Packet): void {
    if (this.closed) return;
    this.broker.stats.packetsIn++;
    if (this.traffic) this.traffic.packetsIn++;
    // A packet that arrived whole in one chunk escapes the check in onData.
    if ((packet.length ?? 0) > this.broker.options.maxPacketSize) {
      this.close(`packet of ${packet.length} bytes exceeds the maximum of ${this.broker.options.maxPacketSize}`, ReasonCode.PacketTooLarge);
      return;
    }
    if (this.busy || this.awaiting.size > 0) {
      // A held connection is still alive: PINGREQ is answered at once (its reply is not
      // ordered with the acknowledgements), everything else waits its turn.
      if (packet.cmd === 'pingreq' && this.client) {
        dispatch(this, packet);
        return;
      }
      this.backlog.push(packet);
      this.backlogBytes += (packet.length ?? 0) + 2;
      if (this.backlogBytes > BACKLOG_PAUSE_BYTES) this.stream.pause();
      return;
    }
    this.run(packet);
  }

  private run(packet: Packet): void {
    this.running = true;
    try {
      this.loop(packet);
    } finally {
      this.running = false;
    }
  }

  private nextInBacklog(): Packet | undefined {
    const packet = this.backlog.shift();
    if (packet) this.backlogBytes -= (packet.length ?? 0) + 2;
    return packet;
  }

  private loop(first: Packet): void {
    let next: Packet | undefined = first;
    while (next && !this.closed) {
      let result: void | Promise<void>;
      try {
        result = dispatch(this, next);
      } catch (error) {
        this.close(`internal error: ${(error as Error).message}`, ReasonCode.UnspecifiedError);
        return;
      }
      if (result instanceof Promise) {
        // Held by an async hook: later packets wait in the backlog (see enqueue).
        this.busy = true;
        result
          .catch((error: Error) => this.close(`internal error: ${error.message}`, ReasonCode.UnspecifiedError))
          .finally(() => {
            this.busy = false;
            if (this.closed || this.awaiting.size > 0) return;
            this.stream.resume();
            const queued = this.nextInBacklog();
            if (queued) this.run(queued);
          });
        return;
      }
      // Paused by backpressure: the rest waits until the subscriber has room.
      next = this.awaiting.size > 0 ? undefined : this.nextInBacklog();
    }
  }
}

/** mqtt-packet reads 5.0 properties only when told the version (its typings omit `settings`). */
function setParserVersion(parser: Parser, version: 3 | 4 | 5): void {
  (parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion = version;
}
