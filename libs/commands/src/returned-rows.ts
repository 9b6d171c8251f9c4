/**
 * The rows an `UPDATE … RETURNING` gave back through TypeORM's `query()`: the postgres driver
 * answers `[rows, affected]` for an UPDATE, a SELECT or INSERT answers the rows themselves.
 */
export const returnedRows = <T>(result: unknown[]): T[] => (Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));
