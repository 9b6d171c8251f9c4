export * from './database-config';
