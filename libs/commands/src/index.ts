export * from './command-service.module';
export * from './command-service.options';
