import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { ConfigError } from './config-error';

/**
 * Reads the variables a schema class declares from the environment, applies its defaults
 * (property initialisers), converts and validates them, and returns the typed result.
 * An empty variable counts as unset.
 * @throws ConfigError naming every variable that is missing or invalid, with the value seen.
 */
export function loadEnv<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const instance = plainToInstance(schema, set, { exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((error) => describe(error, env)));
  }
  return instance;
}

function describe(error: ValidationError, env: NodeJS.ProcessEnv): string {
  const raw = env[error.property];
  const seen = raw === undefined || raw === '' ? 'not set' : `got ${JSON.stringify(raw)}`;
  const problems = Object.values(error.constraints ?? {}).join(', ');
  return `${error.property}: ${problems} (${seen})`;
}
