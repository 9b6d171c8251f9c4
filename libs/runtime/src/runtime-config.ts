import type { DatabaseConfig, EntityList, MigrationList } from '@iot/database';

export type BusConfig = { driver: 'kafka'; brokers: string[]; clientId: string } | { driver: 'in-process' };
export type StateConfig = { driver: 'redis'; url: string; keyPrefix?: string } | { driver: 'memory' };

/** What a process needs to wire its adapters and HTTP surface, mapped from its validated environment. */
export interface RuntimeConfig {
  /** `device-registry`, `mqtt-gateway`, ... or `standalone`. */
  service: string;
  nodeId: string;
  http: { host: string; port: number };
  logLevel: string;
  shutdownTimeoutMs: number;
  /** V8's old-generation growing factor, in percent past 1 (see applyHeapGrowing); absent or 0: V8's own. */
  heapGrowingPercent?: number;
  bus: BusConfig;
  state: StateConfig;
  /** Absent for services that own no tables (the gateway). */
  database?: DatabaseConfig & { entities: EntityList; migrations: MigrationList };
}

/** Injection token of the RuntimeConfig. */
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
