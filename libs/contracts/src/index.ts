export * from './contract';
export * from './headers';
export * from './keys';
export * from './record';
export * from './topics';
export * from './events/registry-project-changed';
