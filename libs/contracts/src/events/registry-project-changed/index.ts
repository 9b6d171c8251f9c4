import { defineContract } from '../../contract';
import { Topics } from '../../topics';
import { registryProjectChangedKey } from './key';
import { RegistryProjectChangedValue } from './value';

export * from './key';
export * from './value';

/** The device registry announces project lifecycle changes; gateways drop their caches of the project. */
export const RegistryProjectChanged = defineContract({
  name: 'RegistryProjectChanged',
  topic: Topics.RegistryProjectChangedV1,
  version: 1,
  value: RegistryProjectChangedValue,
  keyOf: registryProjectChangedKey,
});
