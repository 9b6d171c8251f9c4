import { RecordKeys } from '../../keys';
import { RegistryProjectChangedValue } from './value';

/** Project changes are keyed by project: the changes of one project stay in order. */
export const registryProjectChangedKey = (value: RegistryProjectChangedValue): string => RecordKeys.project(value.projectId);
