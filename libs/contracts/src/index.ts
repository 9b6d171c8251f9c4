export * from './contract';
export * from './headers';
export * from './keys';
export * from './record';
export * from './topics';
export * from './events/registry-project-changed';
export * from './events/gateway-client-event';
export * from './events/gateway-device-message';
