import { retainedStoreBehaviour, sessionStoreBehaviour } from '../../test/store.behaviour';
import { MemoryRetainedStore } from './memory-retained-store';
import { MemorySessionStore } from './memory-session-store';

describe('MemorySessionStore', () => {
  sessionStoreBehaviour(() => new MemorySessionStore());
});

describe('MemoryRetainedStore', () => {
  retainedStoreBehaviour(() => new MemoryRetainedStore());
});
