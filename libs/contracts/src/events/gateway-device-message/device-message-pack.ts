import { Headers } from '../../headers';
import { RecordKeys } from '../../keys';
import { OutboundRecord } from '../../record';
import { Topics } from '../../topics';
import { GatewayClientRef } from '../gateway-client-ref';
import { DEVICE_MESSAGE_CONTRACT, DEVICE_MESSAGE_META_HEADER } from './meta';
import { DeviceMessageFrame, encodePublishFrame } from './publish-frame';

/** The schema version gateways write. */
export const DEVICE_MESSAGE_VERSION = 3;
const VERSION_TEXT = String(DEVICE_MESSAGE_VERSION);

/** Most messages and bytes one record carries (a larger message goes in a record of its own). */
export const DEVICE_MESSAGE_PACK_LIMITS = { messages: 1_000, bytes: 256 * 1024 } as const;

/** What the messages of one record share besides their client. */
export interface DeviceMessagePackOptions {
  /** The MQTT version the packets are in (3 and 4 have no properties). */
  protocolVersion: 3 | 4 | 5;
  /** When the gateway read them (epoch ms). */
  receivedAt: number;
  /** A record of will messages (the gateway gives each will a record of its own). */
  will?: boolean;
}

/**
 * The messages one client published during one event-loop turn, as ONE record keyed by its
 * device: per-device order holds (records of a key stay in order, packets in a record are in
 * order), and the producer pays its per-record cost once per client and turn instead of once
 * per message.
 *
 * Version 3: the value is the client's MQTT PUBLISH packets back to back, as it sent them;
 * the header names the client, the count, the protocol version and the arrival time. The
 * gateway does no work per message beyond noting where the packet lies in the bytes it read:
 * consecutive packets of a socket read are one range, and the record's value is its ranges,
 * views of the socket's bytes, copied once — into the produce request. (Version 2 wrote a frame per
 * message: 15% of the broker's CPU at 500k msg/s.) A message the gateway has no packet for —
 * a will, a 5.0 publish whose topic came as an alias — gets one written (`addMessage`).
 */
export class DeviceMessagePack {
  private readonly parts: Buffer[] = [];
  /** The range being extended: packets that lie back to back in one buffer. */
  private run?: Buffer;
  private runStart = 0;
  private runEnd = 0;
  private bytes = 0;
  count = 0;

  constructor(
    /** The client and what each of its records shares (a packer keeps one per client). */
    private readonly identity: DeviceRecordIdentity,
    readonly options: DeviceMessagePackOptions,
  ) {}

  get client(): GatewayClientRef {
    return this.identity.client;
  }

  /** Bytes of the value so far. */
  get size(): number {
    return this.bytes;
  }

  /** Whether another packet of `bytes` would take it over its limits. */
  wouldOverflow(bytes: number): boolean {
    return this.count > 0 && (this.count >= DEVICE_MESSAGE_PACK_LIMITS.messages || this.bytes + bytes > DEVICE_MESSAGE_PACK_LIMITS.bytes);
  }

  /**
   * Appends the PUBLISH packet at `start`..`end` of `buffer`, exactly as the client sent it
   * (in this pack's protocol version, its topic not an alias alone). Kept by reference until
   * toRecord(): the bytes must not change until then (socket reads are never reused).
   */
  addPacket(buffer: Buffer, start: number, end: number): void {
    if (buffer === this.run && start === this.runEnd) this.runEnd = end;
    else {
      this.closeRun();
      this.run = buffer;
      this.runStart = start;
      this.runEnd = end;
    }
    this.bytes += end - start;
    this.count++;
  }

  /** Appends a message the gateway has no packet for: one is written for it. */
  addMessage(frame: DeviceMessageFrame, payload: Buffer): void {
    const packet = encodePublishFrame(frame, payload, this.options.protocolVersion);
    this.addPacket(packet, 0, packet.length);
  }

  /**
   * The record: its value the ranges themselves (one range: a view of the read), never
   * concatenated here — the bus copies them into what it sends (see OutboundValue).
   */
  toRecord(): OutboundRecord {
    this.closeRun();
    const { protocolVersion, receivedAt, will } = this.options;
    const parts = this.parts;
    return {
      topic: Topics.GatewayDeviceMessageV1,
      key: this.identity.key,
      value: parts.length === 1 ? parts[0] : parts,
      headers: {
        [Headers.SchemaVersion]: VERSION_TEXT,
        [Headers.EventType]: DEVICE_MESSAGE_CONTRACT,
        // The same JSON as JSON.stringify of the meta, its client part written once per client.
        [DEVICE_MESSAGE_META_HEADER]: `${this.identity.metaStart},"count":${this.count},"protocolVersion":${protocolVersion},"receivedAt":${receivedAt}${will ? ',"will":true' : ''}}`,
      },
    };
  }

  private closeRun(): void {
    if (this.run) this.parts.push(this.run.subarray(this.runStart, this.runEnd));
    this.run = undefined;
  }
}

/**
 * What every record of one client shares: its key, and the start of its meta header (the
 * client's fields as JSON). When each record carries one message — devices that publish
 * less than once per event-loop turn — building these per record was a measurable share of
 * the uplink's cost per message.
 */
export interface DeviceRecordIdentity {
  readonly client: GatewayClientRef;
  readonly key: string;
  readonly metaStart: string;
}

export function deviceRecordIdentity(client: GatewayClientRef): DeviceRecordIdentity {
  const { projectId, clientId, deviceId, node } = client;
  return { client, key: RecordKeys.client(projectId, clientId, deviceId), metaStart: JSON.stringify({ projectId, clientId, deviceId, node }).slice(0, -1) };
}
