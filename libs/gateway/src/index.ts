export * from './gateway.options';
export * from './mqtt-gateway.module';
export * from './mqtt/mqtt-server';
export * from './registry-cache/registry-cache';
export * from './registry-cache/registry-changes.consumer';
