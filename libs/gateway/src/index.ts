export * from './mqtt-gateway.module';
export * from './registry-cache/registry-cache';
export * from './registry-cache/registry-changes.consumer';
