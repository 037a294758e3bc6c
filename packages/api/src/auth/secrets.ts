import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of API key secrets; signed tokens start with `tkt_` instead. */
export const KEY_PREFIX = 'tk_';
/** What a usable API key secret looks like: the prefix and at least 32 characters of entropy. */
export const KEY_SECRET_PATTERN = /^tk_[A-Za-z0-9_-]{32,200}$/;

/** A new API key secret: 32 random bytes. */
export function newKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** Hex SHA-256 of a secret: what the database stores instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compare two byte strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HMAC-SHA256 of `data` with a base64url secret. */
export function hmac(secret: string, data: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(data, 'utf8').digest();
}

/** A random id with a readable prefix (`key_…`, `sk_…`). */
export function randomId(prefix: string, bytes = 9): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** A new token-signing secret: 32 random bytes, base64url. */
export function newSigningSecret(): string {
  return randomBytes(32).toString('base64url');
}
