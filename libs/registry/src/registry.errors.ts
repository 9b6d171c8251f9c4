import { DomainError, ErrorKind } from '@iot/runtime';

const KINDS = {
  UNAUTHENTICATED: 'unauthenticated',
  OPERATOR_KEY_NOT_CONFIGURED: 'unauthenticated',
  PROJECT_NOT_FOUND: 'not_found',
  PROJECT_EXISTS: 'conflict',
  API_KEY_NOT_FOUND: 'not_found',
  DEVICE_NOT_FOUND: 'not_found',
  DEVICE_EXISTS: 'conflict',
  USERNAME_TAKEN: 'conflict',
  PRODUCT_NOT_FOUND: 'not_found',
  UNKNOWN_PRODUCT: 'invalid',
  INVALID_VALIDITY: 'invalid',
  ACL_RULE_NOT_FOUND: 'not_found',
  DEVICE_OFFLINE: 'not_found',
  DEVICE_NEVER_CONNECTED: 'not_found',
  SUBSCRIPTION_NOT_FOUND: 'not_found',
  PRODUCT_EXISTS: 'conflict',
  PRODUCT_IN_USE: 'conflict',
  INVALID_THING_MODEL: 'invalid',
} as const satisfies Record<string, ErrorKind>;

export type RegistryErrorCode = keyof typeof KINDS;

/** The device registry's one exception class (STYLE rule 6). */
export class RegistryError extends DomainError {
  constructor(code: RegistryErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, KINDS[code], message, details);
  }
}
