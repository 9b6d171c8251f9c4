import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { Headers } from './headers';
import { BusRecord } from './record';

type ClassOf<T> = new () => T;

/** A versioned message type: its topic, its value class (with validation rules) and its key rule. */
export interface Contract<T extends object> {
  /** Event type name, carried in the `iot-event-type` header. */
  readonly name: string;
  readonly topic: string;
  readonly version: number;
  readonly value: ClassOf<T>;
  /** Derives the record key from a value (see RecordKeys). */
  readonly keyOf: (value: T) => string;
}

/** Declares a contract; the one way events are defined. */
export function defineContract<T extends object>(contract: Contract<T>): Contract<T> {
  return Object.freeze({ ...contract });
}

/** Why a record was not accepted; the text goes into the dead-letter headers. */
export class ContractViolation extends Error {
  constructor(
    readonly contractName: string,
    readonly reason: string,
  ) {
    super(`${contractName}: ${reason}`);
    this.name = 'ContractViolation';
  }
}

/**
 * Validates `value` against its contract and encodes it as a record. A producer can never
 * put an invalid message on the bus: the same rules guard both ends.
 */
export function encodeRecord<T extends object>(contract: Contract<T>, value: T, producer: string): BusRecord {
  const instance = toValidInstance(contract, value);
  return {
    topic: contract.topic,
    key: contract.keyOf(instance),
    value: Buffer.from(JSON.stringify(instance)),
    headers: {
      [Headers.SchemaVersion]: String(contract.version),
      [Headers.EventType]: contract.name,
      [Headers.Producer]: producer,
      [Headers.ProducedAt]: new Date().toISOString(),
    },
  };
}

/**
 * Decodes and validates a record read from the bus.
 * @throws ContractViolation when the version is unknown, the body is not JSON, or a field is invalid.
 */
export function decodeRecord<T extends object>(contract: Contract<T>, record: BusRecord): T {
  const version = record.headers[Headers.SchemaVersion];
  if (version !== String(contract.version)) {
    throw new ContractViolation(
      contract.name,
      version === undefined
        ? `missing ${Headers.SchemaVersion} header`
        : `unknown schema version ${JSON.stringify(version)} (this consumer reads version ${contract.version})`,
    );
  }
  if (record.value === null || record.value.length === 0) {
    throw new ContractViolation(contract.name, 'empty value');
  }
  let plain: unknown;
  try {
    plain = JSON.parse(record.value.toString('utf8'));
  } catch {
    throw new ContractViolation(contract.name, 'value is not valid JSON');
  }
  return toValidInstance(contract, plain);
}

function toValidInstance<T extends object>(contract: Contract<T>, plain: unknown): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new ContractViolation(contract.name, 'value must be a JSON object');
  }
  const instance = plainToInstance(contract.value, plain);
  // whitelist: fields a newer producer added are dropped, not trusted.
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ContractViolation(contract.name, describeErrors(errors));
  }
  return instance;
}

/** Flattens class-validator errors into `field: problem; other.field: problem`. */
export function describeErrors(errors: ValidationError[], parent = ''): string {
  return errors
    .flatMap((error) => {
      const path = parent ? `${parent}.${error.property}` : error.property;
      const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text}`);
      const nested = error.children?.length ? [describeErrors(error.children, path)] : [];
      return [...own, ...nested];
    })
    .join('; ');
}
