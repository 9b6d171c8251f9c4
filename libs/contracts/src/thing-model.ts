/**
 * The thing model of a product as the device registry stores it (products.model, JSON):
 * what its devices report, accept and raise, by service (IoTDA's model). The registry
 * validates it when it is written; other services read it to check commands and property
 * writes against it.
 */
export interface ThingModel {
  services: ThingService[];
}

/** Names in a thing model (services, properties, commands, events, parameters): what devices put in their JSON. */
export const THING_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/;
export const THING_NAME_RULE = 'must be 1-64 letters, digits, "_" or "-", starting with a letter or "_"';

export const THING_DATA_TYPES = ['int', 'long', 'decimal', 'string', 'boolean', 'datetime', 'json', 'enum'] as const;
export type ThingDataType = (typeof THING_DATA_TYPES)[number];
export const THING_PROPERTY_ACCESS = ['R', 'W', 'RW'] as const;

/** A typed value: a property, a command's parameter or response field, an event's parameter. */
export interface ThingValue {
  name: string;
  type: ThingDataType;
  description?: string;
  unit?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  enumValues?: string[];
  required?: boolean;
}

export interface ThingProperty extends ThingValue {
  access: (typeof THING_PROPERTY_ACCESS)[number];
}

export interface ThingCommand {
  name: string;
  parameters?: ThingValue[];
  responses?: { name: string; parameters?: ThingValue[] }[];
}

export interface ThingService {
  serviceId: string;
  description?: string;
  properties?: ThingProperty[];
  commands?: ThingCommand[];
  events?: { name: string; parameters?: ThingValue[] }[];
}

/** What is wrong with `value` as a `def` (empty when nothing is). */
export function thingValueProblems(def: ThingValue, value: unknown): string[] {
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  const range = (): string[] => [
    ...(def.min !== undefined && (value as number) < def.min ? [`must not be less than ${def.min}`] : []),
    ...(def.max !== undefined && (value as number) > def.max ? [`must not be greater than ${def.max}`] : []),
  ];
  switch (def.type) {
    case 'int':
    case 'long':
      if (!isNumber || !Number.isInteger(value)) return ['must be an integer'];
      if (def.type === 'int' && ((value as number) < -(2 ** 31) || (value as number) >= 2 ** 31)) return ['must be a 32-bit integer'];
      return range();
    case 'decimal':
      return isNumber ? range() : ['must be a number'];
    case 'string':
      if (typeof value !== 'string') return ['must be a string'];
      return def.maxLength !== undefined && value.length > def.maxLength ? [`must be at most ${def.maxLength} characters long`] : [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : ['must be a boolean'];
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? [] : ['must be a date-time string (ISO 8601)'];
    case 'enum':
      return typeof value === 'string' && (def.enumValues ?? []).includes(value) ? [] : [`must be one of ${(def.enumValues ?? []).join(', ')}`];
    case 'json':
      return value === undefined ? ['must be present'] : [];
    default:
      return [];
  }
}

/**
 * What is wrong with `values` (a JSON object from a request) as the values `defs` define:
 * problems by field, under `path` — unknown names, missing required ones, wrong values.
 */
export function thingValuesProblems(path: string, defs: ThingValue[] | undefined, values: Record<string, unknown>, options: { requireRequired: boolean }): { field: string; problems: string[] }[] {
  const byName = new Map((defs ?? []).map((def) => [def.name, def]));
  const problems: { field: string; problems: string[] }[] = [];
  for (const [name, value] of Object.entries(values)) {
    const def = byName.get(name);
    if (!def) problems.push({ field: `${path}.${name}`, problems: ['is not defined in the thing model'] });
    else {
      const wrong = thingValueProblems(def, value);
      if (wrong.length > 0) problems.push({ field: `${path}.${name}`, problems: wrong });
    }
  }
  if (options.requireRequired) {
    for (const def of defs ?? []) if (def.required && !(def.name in values)) problems.push({ field: `${path}.${def.name}`, problems: ['is required'] });
  }
  return problems;
}
