import type { Message } from '../message';

/** Node's pool for small buffers: a payload in a buffer this size or smaller pins little. */
const POOL_BYTES = 8 * 1024;

const ownCopies = new WeakMap<Message, Message>();

/**
 * The message as it should be kept for a session whose client is away, for minutes or days.
 * A message's payload is a view of the socket read it arrived in (the broker copies nothing
 * per message on its hot path), and a view keeps the whole read alive: up to 64 KiB, the
 * publisher's other messages with it. A queue of such messages for an offline client that
 * subscribed to one topic in a hundred held a hundred times what it queued. Such a message
 * gets a payload of its own — one copy per message, however many sessions keep it.
 */
export function heldMessage(message: Message): Message {
  const { payload } = message;
  if (payload.buffer.byteLength <= Math.max(POOL_BYTES, 2 * payload.length)) return message;
  let own = ownCopies.get(message);
  if (!own) {
    own = { ...message, payload: Buffer.from(payload) };
    ownCopies.set(message, own);
  }
  return own;
}
