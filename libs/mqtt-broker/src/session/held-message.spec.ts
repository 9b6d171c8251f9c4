import { stillReachable } from '@iot/testing';
import type { Message } from '../message';
import { heldMessage } from './held-message';

const message = (payload: Buffer): Message => ({ projectId: 'p', topic: 't/1', payload, qos: 1, retain: false, origin: 'dev-1', expiresAt: 123, properties: { contentType: 'text/plain' } });

describe('heldMessage', () => {
  it('should give a payload that is a view of a larger read a copy of its own, once per message', () => {
    const read = Buffer.alloc(64 * 1024, 7);
    read.write('hello', 1000);
    const original = message(read.subarray(1000, 1005));
    const held = heldMessage(original);
    expect(held).not.toBe(original);
    expect(held).toEqual({ ...original, payload: Buffer.from('hello') });
    expect(held.payload.buffer).not.toBe(read.buffer);
    expect(held.payload.buffer.byteLength).toBeLessThanOrEqual(8 * 1024); // Node's pool at most
    expect(heldMessage(original)).toBe(held); // every session that keeps it shares the copy
    expect(original.payload.buffer).toBe(read.buffer); // the live message is left as it was
  });

  it('should keep a message whose payload is (most of) its own buffer as it is', () => {
    for (const payload of [Buffer.from('small, from the pool'), Buffer.alloc(20_000), Buffer.alloc(20_000).subarray(0, 15_000)]) {
      const original = message(payload);
      expect(heldMessage(original)).toBe(original);
    }
  });

  it('should let the read go once the live message is gone, while the held one stays', async () => {
    let read: Buffer | undefined = Buffer.alloc(64 * 1024, 1);
    const gone = new WeakRef(read.buffer);
    let original: Message | undefined = message(read.subarray(10, 20));
    const held = heldMessage(original);
    read = undefined;
    original = undefined;
    expect(await stillReachable([gone])).toBe(0);
    expect(held.payload).toEqual(Buffer.alloc(10, 1));
  });
});
