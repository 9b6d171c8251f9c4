export * from './cluster-config';
export * from './eventually';
export * from './infra';
export * from './service-process';
