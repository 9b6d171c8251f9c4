export * from './cluster-config';
export * from './eventually';
export * from './garbage';
export * from './infra';
export * from './service-process';
