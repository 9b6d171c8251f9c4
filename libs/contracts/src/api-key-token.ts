import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsUUID, Matches } from 'class-validator';
import { PROJECT_ID_PATTERN } from './keys';
import { decodeStateView } from './state-view';

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

/**
 * What a service needs to check a project's API key, by the key's prefix: the device
 * registry keeps one entry per live key in the shared state store (written when the key is
 * issued, removed when it is revoked); every service with project endpoints reads it.
 */
export class ApiKeyEntry {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @IsUUID()
  keyId: string;

  /** SHA-256 of the whole token, hex. */
  @Matches(/^[0-9a-f]{64}$/)
  digest: string;
}

/** State-store key of the entry of the live key with this prefix. */
export const apiKeyEntryKey = (prefix: string): string => `registry:api-key:${prefix}`;

export const encodeApiKeyEntry = (entry: ApiKeyEntry): string => JSON.stringify(entry);

/** The entry stored as `text`, or undefined when it is not a valid one. */
export const decodeApiKeyEntry = (text: string): ApiKeyEntry | undefined => decodeStateView(ApiKeyEntry, text);
