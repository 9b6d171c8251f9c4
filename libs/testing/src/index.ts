export * from './cluster-config';
export * from './eventually';
export * from './infra';
