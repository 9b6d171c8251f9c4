/** Options of the device registry module, from its process's configuration. */
export interface RegistryOptions {
  operatorKey?: string;
}

export const REGISTRY_OPTIONS = Symbol('REGISTRY_OPTIONS');

/** Name this service puts in the producer header of its events. */
export const REGISTRY_SERVICE = 'device-registry';
