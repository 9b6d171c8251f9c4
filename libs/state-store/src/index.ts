export * from './memory-state-store';
export * from './redis-state-store';
export * from './state-store';
