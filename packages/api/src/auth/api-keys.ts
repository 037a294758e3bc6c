import { findApiKeyByHash, findTenant, insertApiKey, listApiKeys, revokeApiKey, type ApiKey, type Executor } from '@tierkit/db';
import { credentialsChanged } from './credential-cache.js';
import type { Principal } from './principal.js';
import { isRole, type Role } from './roles.js';
import { constantTimeEqual, hashSecret, KEY_SECRET_PATTERN, newKeySecret, randomId } from './secrets.js';

/** An API key as operators list it: never the secret, never its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly label: string;
  /** The first characters of the secret, to tell keys apart. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

function info(key: ApiKey): ApiKeyInfo {
  return {
    id: key.id,
    tenantId: key.tenantId,
    role: key.role as Role,
    label: key.label,
    prefix: key.prefix,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
  };
}

async function store(db: Executor, tenantId: string, role: Role, label: string, secret: string, now: Date): Promise<ApiKeyInfo> {
  if (!isRole(role)) throw new Error(`unknown role "${String(role)}"`);
  if (!label.trim()) throw new Error('an API key needs a label');
  if (!(await findTenant(db, tenantId))) throw new Error(`tenant "${tenantId}" does not exist`);
  const key = await insertApiKey(db, {
    id: randomId('key_'),
    tenantId,
    secretHash: hashSecret(secret),
    prefix: secret.slice(0, 10),
    role,
    label: label.trim(),
    createdAt: now.toISOString(),
  });
  return info(key);
}

/**
 * Create an API key. The returned `secret` exists only here: the database keeps its SHA-256 hash,
 * so show it to the operator once and never log it.
 */
export async function createApiKey(
  db: Executor,
  options: { tenantId: string; role: Role; label: string; now?: Date },
): Promise<{ key: ApiKeyInfo; secret: string }> {
  const secret = newKeySecret();
  const key = await store(db, options.tenantId, options.role, options.label, secret, options.now ?? new Date());
  return { key, secret };
}

/**
 * Make sure a key with exactly this secret exists for the tenant with the role (operations
 * bootstrap: `TIERKIT_ADMIN_KEY`). A key with that secret that was revoked, or that belongs to
 * another tenant or role, is an error: it is never silently revived or widened.
 */
export async function ensureApiKey(
  db: Executor,
  options: { tenantId: string; secret: string; role: Role; label: string; now?: Date },
): Promise<{ key: ApiKeyInfo; created: boolean }> {
  if (!KEY_SECRET_PATTERN.test(options.secret)) {
    throw new Error(
      'the key secret must look like tk_ followed by at least 32 letters, digits, "-" or "_" (e.g. tk_$(openssl rand -hex 24))',
    );
  }
  const existing = await findApiKeyByHash(db, hashSecret(options.secret));
  if (existing) {
    if (existing.revokedAt) throw new Error(`that key (${existing.id}) was revoked; choose a new secret`);
    if (existing.tenantId !== options.tenantId || existing.role !== options.role) {
      throw new Error(`that key (${existing.id}) already exists for tenant "${existing.tenantId}" with role ${existing.role}`);
    }
    return { key: info(existing), created: false };
  }
  return { key: await store(db, options.tenantId, options.role, options.label, options.secret, options.now ?? new Date()), created: true };
}

/** Every key (optionally of one tenant), without secrets. */
export async function listKeys(db: Executor, tenantId?: string): Promise<ApiKeyInfo[]> {
  return (await listApiKeys(db, tenantId)).map(info);
}

/** Revoke a key: it authenticates nothing from now on. False when there was no such active key. */
export function revokeKey(db: Executor, id: string, now: Date = new Date()): Promise<boolean> {
  return revokeApiKey(db, id, now.toISOString()).finally(credentialsChanged);
}

/** The principal an API key secret stands for, or undefined when it is unknown or revoked. */
export async function authenticateKey(db: Executor, secret: string): Promise<Principal | undefined> {
  const hash = hashSecret(secret);
  const key = await findApiKeyByHash(db, hash);
  // The lookup is by hash (the secret never reaches the database); compare again in constant time.
  if (!key || !constantTimeEqual(Buffer.from(key.secretHash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  if (key.revokedAt !== null || !isRole(key.role)) return undefined;
  return { tenantId: key.tenantId, via: 'key', role: key.role, subject: null, origins: null, actor: `key:${key.id}` };
}
