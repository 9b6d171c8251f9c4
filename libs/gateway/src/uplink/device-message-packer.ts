import { OutboundRecord, DEVICE_MESSAGE_PACK_LIMITS, DeviceMessagePack, DeviceRecordIdentity, deviceRecordIdentity } from '@iot/contracts';
import type { InboundBytes, Message } from '@iot/mqtt-broker';

/** Bytes a PUBLISH packet written for a message takes besides its payload and topic, at most. */
const WRITTEN_OVERHEAD = 64;
/**
 * A message larger than this goes in a record of its own. Read once, at load: a use of
 * the import goes through the library index's re-export getter (see publish-encoder.ts).
 */
const ALONE_ABOVE = DEVICE_MESSAGE_PACK_LIMITS.bytes / 2;
/** Clients whose record identity is kept; past this the cache starts again (a new Map). */
const IDENTITIES_KEPT = 100_000;

/**
 * Gathers the device messages of one event-loop turn into one record per client (see
 * DeviceMessagePack for why) and hands each record on at the end of the turn — or at once
 * when a client's pack is full, so a client's records stay in order.
 */
export class DeviceMessagePacker {
  /**
   * This turn's packs, one per client, in the order clients first published. A new Map each
   * turn, never clear(): V8 links a cleared table to its successor, so once the Map had moved
   * to the old generation every later turn's packs (and the socket bytes they hold) survived
   * young collections chained to it — most of the uplink's allocations were promoted, and the
   * full collections that followed were the uplink's worst latency spikes.
   */
  private packs = new Map<string, DeviceMessagePack>();
  private scheduled = false;
  /** Most turns carry runs of one client's messages: the last pack is checked first. */
  private last?: DeviceMessagePack;
  /**
   * When this turn's first message was packed: the receivedAt of all of the turn's messages.
   * They were all read from their sockets in this turn, and one clock read per turn instead
   * of one per message is a measurable share of the uplink's per-message cost.
   */
  private turnStartedAt = 0;
  /** Each client's record identity, made once instead of once per record. */
  private identities = new Map<string, DeviceRecordIdentity>();

  constructor(
    private readonly node: string,
    private readonly emit: (record: OutboundRecord, messages: number) => void,
  ) {}

  /**
   * Adds a message client `origin` published: its packet as the client sent it (`bytes`, in
   * MQTT `protocolVersion`) when the broker has it, else one written for it. A will goes in
   * a record of its own (the record says so).
   */
  add(message: Message, origin: string, protocolVersion: 3 | 4 | 5 = 5, bytes?: InboundBytes): void {
    if (message.will) {
      this.flushClient(message.projectId, origin);
      const will = this.newPack(message, origin, 5, true, packKey(message.projectId, origin));
      will.addMessage(message, message.payload);
      this.emit(will.toRecord(), 1);
      return;
    }
    const size = bytes ? bytes.end - bytes.start : message.payload.length + Buffer.byteLength(message.topic) + WRITTEN_OVERHEAD;
    const last = this.last;
    let key: string | undefined;
    let pack = last && last.client.clientId === origin && last.client.projectId === message.projectId ? last : this.packs.get((key = packKey(message.projectId, origin)));
    // A large message goes in a record of its own: if Kafka refuses it, it alone is dropped.
    const alone = size > ALONE_ABOVE;
    if (pack && (alone || pack.wouldOverflow(size) || pack.options.protocolVersion !== protocolVersion)) {
      // What is packed goes first, so the client's records stay in order.
      this.emitPack(pack);
      pack = undefined;
    }
    pack ??= this.newPack(message, origin, protocolVersion, false, key ?? packKey(message.projectId, origin));
    this.last = pack;
    if (bytes) pack.addPacket(bytes.buffer, bytes.start, bytes.end);
    else pack.addMessage(message, message.payload);
    if (alone) this.emitPack(pack);
  }

  /** Hands on every pack now (end of the turn, or shutdown). */
  flush(): void {
    this.scheduled = false;
    this.last = undefined;
    const packs = this.packs;
    this.packs = new Map();
    for (const pack of packs.values()) this.emit(pack.toRecord(), pack.count);
  }

  /** A new pack for client `origin`, whose pack key is `key`. */
  private newPack(message: Message, origin: string, protocolVersion: 3 | 4 | 5, will: boolean, key: string): DeviceMessagePack {
    // A will's record goes at once: only the turn's packs need the end-of-turn flush.
    if (!will && !this.scheduled) {
      this.scheduled = true;
      this.turnStartedAt = Date.now();
      setImmediate(() => this.flush());
    }
    const pack = new DeviceMessagePack(this.identityOf(key, message, origin), { protocolVersion, receivedAt: will ? Date.now() : this.turnStartedAt, will });
    if (!will) this.packs.set(key, pack);
    return pack;
  }

  private identityOf(key: string, message: Message, origin: string): DeviceRecordIdentity {
    const known = this.identities.get(key);
    // A client id may come back authenticated as another device: its records follow the device.
    if (known && known.client.deviceId === message.originDeviceId) return known;
    const made = deviceRecordIdentity({ projectId: message.projectId, clientId: origin, deviceId: message.originDeviceId, node: this.node });
    // A new Map rather than clear() when full (see `packs`).
    if (this.identities.size >= IDENTITIES_KEPT) this.identities = new Map();
    this.identities.set(key, made);
    return made;
  }

  private emitPack(pack: DeviceMessagePack): void {
    this.packs.delete(packKey(pack.client.projectId, pack.client.clientId));
    if (this.last === pack) this.last = undefined;
    this.emit(pack.toRecord(), pack.count);
  }

  /** The client's pack of this turn goes now (a will follows what its client published). */
  private flushClient(projectId: string, clientId: string): void {
    const pack = this.packs.get(packKey(projectId, clientId));
    if (pack) this.emitPack(pack);
  }
}

const packKey = (projectId: string, clientId: string): string => `${projectId}\u0000${clientId}`;
