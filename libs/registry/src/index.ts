export * from './device-registry.module';
export * from './registry.errors';
export * from './registry.options';
