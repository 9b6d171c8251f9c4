import type { Message } from '@iot/mqtt-broker';
import { fromJson, toJson } from '../storage/buffer-json';

/** Publishes one node forwards to another in one event-loop turn, in order. */
export interface ForwardBatch {
  from: string;
  /** The sender's batch number, acknowledged once delivered (see ForwardWindows). */
  batch: number;
  items: ForwardItem[];
}

export interface ForwardItem {
  message: Message;
  /** Shared groups (`<group>/<filter>`) the receiving node serves this message to. */
  groups: string[];
}

/** First byte of a binary batch; JSON envelopes begin with `{` (0x7B). */
export const FORWARD_FRAME_MAGIC = 0xf1;
/** The frame version this node writes and reads; nodes announce it (NodeLink sends others JSON). */
export const FORWARD_FRAME_VERSION = 1;

// Item flags. Runs of one publisher's messages share project, publisher and topic, so an
// item says "as the one before" instead of repeating them.
const QOS_MASK = 0x03;
const RETAIN = 0x04;
const WILL = 0x08;
const SAME_PROJECT = 0x10;
const SAME_ORIGIN = 0x20;
const SAME_TOPIC = 0x40;
const EXTRAS = 0x80;
// Origin flags (an item not SAME_ORIGIN).
const HAS_ORIGIN = 0x01;
const HAS_DEVICE = 0x02;
// Extras flags: what most messages do not have.
const EXPIRES = 0x01;
const PROPERTIES = 0x02;
const TRACKING = 0x04;
const GROUPS = 0x08;

/**
 * The binary form of a forwarded batch, for the node-to-node hot path: every publish with a
 * subscriber on another node goes through it. The JSON form it replaced cost a
 * `JSON.stringify` of every message with its payload in base64 on the sending node and the
 * reverse on the receiving one. Here a payload is copied once into the frame and read back
 * as a view of it; strings are length-prefixed UTF-8 (u32), numbers big-endian.
 *
 *   magic u8, version u8, batch u32, from str, count u32, then per item:
 *   flags u8 [origin flags u8, origin str?, device str?] [project str] [topic str]
 *   [extras u8, expiresAt f64?, properties json str?, trackingId str?, groups u32 + str each?]
 *   payload u32 + bytes
 */
export function encodeForwardBatch({ from, batch, items }: ForwardBatch): Buffer {
  const plan = planFrame(from, items);
  const writer = new FrameWriter(plan.size);
  writer.u8(FORWARD_FRAME_MAGIC);
  writer.u8(FORWARD_FRAME_VERSION);
  writer.u32(batch);
  writer.str(from);
  writer.u32(items.length);
  for (let i = 0; i < items.length; i++) {
    const { message, groups } = items[i];
    const flags = plan.flags[i];
    writer.u8(flags);
    if (!(flags & SAME_ORIGIN)) {
      writer.u8((message.origin !== undefined ? HAS_ORIGIN : 0) | (message.originDeviceId !== undefined ? HAS_DEVICE : 0));
      if (message.origin !== undefined) writer.str(message.origin);
      if (message.originDeviceId !== undefined) writer.str(message.originDeviceId);
    }
    if (!(flags & SAME_PROJECT)) writer.str(message.projectId);
    if (!(flags & SAME_TOPIC)) writer.str(message.topic);
    const extras = plan.extras[i];
    if (extras) {
      writer.u8(extras);
      if (extras & EXPIRES) writer.f64(message.expiresAt!);
      if (extras & PROPERTIES) writer.str(plan.json[i]);
      if (extras & TRACKING) writer.str(message.trackingId!);
      if (extras & GROUPS) {
        writer.u32(groups.length);
        for (const group of groups) writer.str(group);
      }
    }
    writer.bytes(message.payload);
  }
  return writer.done();
}

/** Reads a batch written by encodeForwardBatch; throws on anything else or on a cut frame. */
export function decodeForwardBatch(frame: Buffer): ForwardBatch {
  const reader = new FrameReader(frame);
  if (reader.u8() !== FORWARD_FRAME_MAGIC) throw new Error('not a forwarded batch');
  const version = reader.u8();
  if (version !== FORWARD_FRAME_VERSION) throw new Error(`forwarded batch of version ${version}; this node reads version ${FORWARD_FRAME_VERSION}`);
  const batch = reader.u32();
  const from = reader.str();
  const count = reader.u32();
  const items: ForwardItem[] = [];
  let projectId = '';
  let topic = '';
  let origin: string | undefined;
  let originDeviceId: string | undefined;
  for (let i = 0; i < count; i++) {
    const flags = reader.u8();
    if (i === 0 && (flags & (SAME_PROJECT | SAME_ORIGIN | SAME_TOPIC)) !== 0) throw new Error('the first forwarded message refers to one before it');
    const qos = flags & QOS_MASK;
    if (qos === 3) throw new Error('a forwarded message of QoS 3');
    if (!(flags & SAME_ORIGIN)) {
      const originFlags = reader.u8();
      origin = originFlags & HAS_ORIGIN ? reader.str() : undefined;
      originDeviceId = originFlags & HAS_DEVICE ? reader.str() : undefined;
    }
    if (!(flags & SAME_PROJECT)) projectId = reader.str();
    if (!(flags & SAME_TOPIC)) topic = reader.str();
    let expiresAt: number | undefined;
    let properties: Message['properties'];
    let trackingId: string | undefined;
    let groups: string[] = NO_GROUPS;
    if (flags & EXTRAS) {
      const extras = reader.u8();
      if (extras & EXPIRES) expiresAt = reader.f64();
      if (extras & PROPERTIES) properties = fromJson<Message['properties']>(reader.str());
      if (extras & TRACKING) trackingId = reader.str();
      if (extras & GROUPS) {
        const n = reader.u32();
        groups = [];
        for (let g = 0; g < n; g++) groups.push(reader.str());
      }
    }
    const payload = reader.bytes();
    // One shape for every forwarded message (the broker's hot path reads them all).
    const message: Message = { projectId, topic, payload, qos: qos as 0 | 1 | 2, retain: (flags & RETAIN) !== 0, origin, originDeviceId, expiresAt, properties };
    if (flags & WILL) message.will = true;
    if (trackingId !== undefined) message.trackingId = trackingId;
    items.push({ message, groups });
  }
  if (!reader.atEnd) throw new Error('bytes after the last forwarded message');
  return { from, batch, items };
}

const NO_GROUPS: string[] = [];

function extrasOf(message: Message, groups: string[]): number {
  return (
    (message.expiresAt !== undefined ? EXPIRES : 0) |
    (message.properties !== undefined ? PROPERTIES : 0) |
    (message.trackingId !== undefined ? TRACKING : 0) |
    (groups.length > 0 ? GROUPS : 0)
  );
}

/**
 * The one place that decides what each item writes — its flags ("same as before" or not),
 * its extras, its properties' JSON (rare: made once, here) — and so the frame's exact size,
 * which keeps the frame one allocation.
 */
function planFrame(from: string, items: ForwardItem[]): { size: number; flags: Uint8Array; extras: Uint8Array; json: string[] } {
  const flags = new Uint8Array(items.length);
  const extrasOfItem = new Uint8Array(items.length);
  const json: string[] = [];
  let size = 1 + 1 + 4 + strSize(from) + 4;
  let previous: Message | undefined;
  for (let i = 0; i < items.length; i++) {
    const { message, groups } = items[i];
    const extras = extrasOf(message, groups);
    let f = message.qos | (message.retain ? RETAIN : 0) | (message.will ? WILL : 0) | (extras ? EXTRAS : 0);
    size += 1 + 4 + message.payload.length;
    if (previous && previous.origin === message.origin && previous.originDeviceId === message.originDeviceId) f |= SAME_ORIGIN;
    else size += 1 + (message.origin !== undefined ? strSize(message.origin) : 0) + (message.originDeviceId !== undefined ? strSize(message.originDeviceId) : 0);
    if (previous?.projectId === message.projectId) f |= SAME_PROJECT;
    else size += strSize(message.projectId);
    if (previous?.topic === message.topic) f |= SAME_TOPIC;
    else size += strSize(message.topic);
    if (extras) {
      size += 1;
      if (extras & EXPIRES) size += 8;
      if (extras & PROPERTIES) size += strSize((json[i] = toJson(message.properties)));
      if (extras & TRACKING) size += strSize(message.trackingId!);
      if (extras & GROUPS) size += 4 + groups.reduce((sum, group) => sum + strSize(group), 0);
    }
    flags[i] = f;
    extrasOfItem[i] = extras;
    previous = message;
  }
  return { size, flags, extras: extrasOfItem, json };
}

const strSize = (text: string): number => 4 + Buffer.byteLength(text);

class FrameWriter {
  private readonly buffer: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  u8(value: number): void {
    this.buffer[this.at++] = value;
  }

  u32(value: number): void {
    this.buffer.writeUInt32BE(value >>> 0, this.at);
    this.at += 4;
  }

  f64(value: number): void {
    this.buffer.writeDoubleBE(value, this.at);
    this.at += 8;
  }

  str(text: string): void {
    const length = this.buffer.write(text, this.at + 4, 'utf8');
    this.buffer.writeUInt32BE(length, this.at);
    this.at += 4 + length;
  }

  bytes(value: Buffer): void {
    this.u32(value.length);
    value.copy(this.buffer, this.at);
    this.at += value.length;
  }

  done(): Buffer {
    if (this.at !== this.buffer.length) throw new Error(`forward frame sized ${this.buffer.length} bytes, written ${this.at}`);
    return this.buffer;
  }
}

class FrameReader {
  private at = 0;

  constructor(private readonly buffer: Buffer) {}

  get atEnd(): boolean {
    return this.at === this.buffer.length;
  }

  u8(): number {
    this.need(1);
    return this.buffer[this.at++];
  }

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.buffer.readDoubleBE(this.at);
    this.at += 8;
    return value;
  }

  str(): string {
    const length = this.u32();
    this.need(length);
    const text = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }

  /** A view of the frame (the frame is its own allocation, never reused). */
  bytes(): Buffer {
    const length = this.u32();
    this.need(length);
    const value = this.buffer.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.buffer.length) throw new Error(`forwarded batch cut short: ${bytes} more bytes needed at ${this.at} of ${this.buffer.length}`);
  }
}
