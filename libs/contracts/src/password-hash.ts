import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Stored device passwords: `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url), a slow salted
 * hash. The device registry writes them; gateways verify a CONNECT's password against them
 * — the one format both sides must agree on, hence here.
 */
const COST = { r: 8, p: 1 } as const;
/** scrypt's work factor as log2(N): 14 (N = 16,384, ~50 ms here) unless the registry is told otherwise. */
export const DEFAULT_PASSWORD_HASH_COST = 14;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes with N = 2^cost; the stored form names its parameters, so any cost verifies. */
export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_HASH_COST): Promise<string> {
  const N = 2 ** cost;
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, COST.r, COST.p);
  return ['scrypt', N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` is the one `stored` was made from; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (scheme !== 'scrypt' || !Number.isInteger(N) || !Number.isInteger(R) || !Number.isInteger(P) || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), N, R, P);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
