import pino, { Logger } from 'pino';

/** Injection token of the process's root pino logger, for plain-TypeScript adapters. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** One JSON logger per process; every line carries the service and node. */
export function createRootLogger(service: string, nodeId: string, level: string): Logger {
  return pino({
    level,
    base: { service, node: nodeId },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Keys and passwords never reach the logs.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}
