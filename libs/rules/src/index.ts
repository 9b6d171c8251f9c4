export * from './rule-service.module';
