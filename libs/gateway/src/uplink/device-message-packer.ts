import { BusRecord, DEVICE_MESSAGE_PACK_LIMITS, DeviceMessagePack } from '@iot/contracts';
import type { Message } from '@iot/mqtt-broker';

/**
 * Gathers the device messages of one event-loop turn into one record per client (see
 * DeviceMessagePack for why) and hands each record on at the end of the turn — or at once
 * when a client's pack is full, so a client's records stay in order.
 */
export class DeviceMessagePacker {
  /** This turn's packs, one per client, in the order clients first published. */
  private readonly packs = new Map<string, DeviceMessagePack>();
  private scheduled = false;
  /** Most turns carry runs of one client's messages: the last pack is checked first. */
  private last?: DeviceMessagePack;
  /**
   * When this turn's first message was packed: the receivedAt of all of the turn's messages.
   * They were all read from their sockets in this turn, and one clock read per turn instead
   * of one per message is a measurable share of the uplink's per-message cost.
   */
  private turnStartedAt = 0;

  constructor(
    private readonly node: string,
    private readonly emit: (record: BusRecord, messages: number) => void,
  ) {}

  /** Adds a message client `origin` published. */
  add(message: Message, origin: string): void {
    const last = this.last;
    let key: string | undefined;
    let pack = last && last.client.clientId === origin && last.client.projectId === message.projectId ? last : this.packs.get((key = packKey(message.projectId, origin)));
    const payloadBytes = message.payload.length;
    // A large payload goes in a record of its own: if Kafka refuses it, it alone is dropped.
    const alone = payloadBytes > DEVICE_MESSAGE_PACK_LIMITS.bytes / 2;
    if (pack && (alone || pack.wouldOverflow(payloadBytes))) {
      // What is packed goes first, so the client's records stay in order.
      this.emit(pack.toRecord(), pack.count);
      pack = undefined;
    }
    if (!pack) {
      pack = new DeviceMessagePack({ projectId: message.projectId, clientId: origin, deviceId: message.originDeviceId, node: this.node });
      this.packs.set(key ?? packKey(message.projectId, origin), pack);
      if (!this.scheduled) {
        this.scheduled = true;
        this.turnStartedAt = Date.now();
        setImmediate(() => this.flush());
      }
    }
    this.last = pack;
    pack.add(message, this.turnStartedAt, message.payload);
    if (alone) {
      this.emit(pack.toRecord(), pack.count);
      this.packs.delete(key ?? packKey(message.projectId, origin));
      this.last = undefined;
    }
  }

  /** Hands on every pack now (end of the turn, or shutdown). */
  flush(): void {
    this.scheduled = false;
    this.last = undefined;
    for (const pack of this.packs.values()) this.emit(pack.toRecord(), pack.count);
    this.packs.clear();
  }
}

const packKey = (projectId: string, clientId: string): string => `${projectId}\u0000${clientId}`;
