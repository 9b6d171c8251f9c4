export * from './command-service.module';
