/** Options of the device registry module, from its process's configuration. */
export interface RegistryOptions {
  operatorKey?: string;
  /** scrypt work factor (log2 N) of new device passwords (IOT_PASSWORD_HASH_COST). */
  passwordHashCost?: number;
}

export const REGISTRY_OPTIONS = Symbol('REGISTRY_OPTIONS');

/** Name this service puts in the producer header of its events. */
export const REGISTRY_SERVICE = 'device-registry';
