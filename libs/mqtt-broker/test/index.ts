// Test helpers other libraries reuse: the behaviour suites every store implementation must pass.
export * from './store.behaviour';
