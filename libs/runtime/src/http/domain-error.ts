/** How an error is reported over HTTP and treated by consumers (STYLE rule 6). */
/** `bad_upstream`: something the platform depends on (a device) answered, but not usably. */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'timeout' | 'unavailable' | 'bad_upstream';

export const HTTP_STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  timeout: 504,
  unavailable: 503,
  bad_upstream: 502,
};

/**
 * Base of each module's single exception class. `code` is a stable machine-readable string
 * (`PROJECT_NOT_FOUND`); `kind` decides the HTTP status and whether a bus consumer retries
 * (`timeout`, `unavailable`) or dead-letters (everything else).
 */
export abstract class DomainError extends Error {
  protected constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get transient(): boolean {
    return this.kind === 'timeout' || this.kind === 'unavailable';
  }
}
