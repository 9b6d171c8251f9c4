export * from './bootstrap';
export * from './config-mapping';
export * from './http/domain-error';
export * from './logging/root-logger';
export * from './runtime-config';
export * from './runtime.module';
export * from './http/pagination';
export * from './http/project-key.guard';
