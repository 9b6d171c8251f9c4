import { retainedStoreBehaviour, sessionStoreBehaviour } from '@iot/mqtt-broker/testing';
import { MemoryStateStore } from '@iot/state-store';
import { fromJson, toJson } from './buffer-json';
import { StateRetainedStore } from './state-retained-store';
import { StateSessionStore } from './state-session-store';

describe('StateSessionStore on the memory StateStore', () => {
  sessionStoreBehaviour(() => new StateSessionStore(new MemoryStateStore()));
});

describe('StateRetainedStore on the memory StateStore', () => {
  retainedStoreBehaviour(() => new StateRetainedStore(new MemoryStateStore()));
});

describe('buffer JSON', () => {
  it('should keep Buffers as base64 and give them back as Buffers', () => {
    const value = { payload: Buffer.from([0, 255, 10]), nested: [{ data: Buffer.from('hi') }], text: 'plain' };
    const text = toJson(value);
    expect(text).toContain('"$b64":"AP8K"');
    expect(fromJson(text)).toEqual(value);
  });
});
