import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

type Decorator = PropertyDecorator;
const all =
  (...decorators: Decorator[]): Decorator =>
  (target, key) =>
    decorators.forEach((decorate) => decorate(target, key));

const toNumber = Transform(({ value }) => (typeof value === 'string' ? Number(value.trim()) : value));

/** An integer variable within [min, max]. */
export const EnvInt = (min: number, max: number = Number.MAX_SAFE_INTEGER): Decorator =>
  all(toNumber, IsInt({ message: 'must be an integer' }), Min(min, { message: `must be at least ${min}` }), Max(max, { message: `must be at most ${max}` }));

/** A TCP port; 0 turns the listener off where the variable's documentation says so. */
export const EnvPort = (): Decorator => EnvInt(0, 65535);

/** `true` or `false`, nothing else: a typo must not silently mean false. */
export const EnvBool = (): Decorator =>
  all(
    Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean({ message: 'must be true or false' }),
  );

/** A comma-separated list of non-empty items, e.g. `host1:9092,host2:9092`. */
export const EnvList = (itemPattern: RegExp, what: string): Decorator =>
  all(
    Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value)),
    ArrayNotEmpty({ message: `must list at least one ${what}` }),
    Matches(itemPattern, { each: true, message: `must be a comma-separated list of ${what}` }),
  );

/** One of a fixed set of words. */
export const EnvEnum = (values: readonly string[]): Decorator => IsIn(values, { message: `must be one of ${values.join(', ')}` });

/** A URL whose scheme is one of `schemes`. */
export const EnvUrl = (schemes: readonly string[]): Decorator =>
  all(
    IsString(),
    Matches(new RegExp(`^(${schemes.join('|')})://\\S+$`), { message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` }),
  );
