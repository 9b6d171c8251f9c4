export * from './bus-errors';
export * from './contract-consumer';
export * from './event-publisher';
export * from './in-process-bus';
export * from './kafka-bus';
export * from './message-bus';
