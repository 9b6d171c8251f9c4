import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * A value one service keeps in the shared state store for others to read (JSON of a
 * validated class): the reader's boundary check. Undefined when `text` is not a valid one.
 */
export function decodeStateView<T extends object>(type: new () => T, text: string): T | undefined {
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) return undefined;
  const value = plainToInstance(type, plain);
  return validateSync(value, { whitelist: true }).length === 0 ? value : undefined;
}
