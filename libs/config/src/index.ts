export * from './base-env';
export * from './config-error';
export * from './env-decorators';
export * from './load-env';
