import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key tokens: `iotk_<prefix>_<secret>`. The prefix (12 hex characters) finds the key's
 * row; the secret is 32 random bytes. Only a SHA-256 digest of the whole token is stored: a
 * token has 256 bits of entropy, so a fast digest is as safe as a slow hash is for passwords
 * (and costs nothing per request).
 */
export interface IssuedToken {
  token: string;
  prefix: string;
  digest: string;
}

const TOKEN = /^iotk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function issueToken(): IssuedToken {
  const prefix = randomBytes(6).toString('hex');
  const token = `iotk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, prefix, digest: digestOf(token) };
}

/** The prefix of something shaped like a token, else undefined (never looked up). */
export function prefixOf(candidate: string): string | undefined {
  return TOKEN.exec(candidate)?.[1];
}

export function tokenMatches(candidate: string, digest: string): boolean {
  const expected = Buffer.from(digest, 'hex');
  const actual = Buffer.from(digestOf(candidate), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const digestOf = (token: string): string => createHash('sha256').update(token).digest('hex');
