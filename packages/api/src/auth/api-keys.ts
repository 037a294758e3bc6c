import {
  actorsOfStaff,
  findApiKey,
  findApiKeyByHash,
  findJob,
  findStaff,
  findTenant,
  insertApiKey,
  listApiKeys,
  lockUnrevokedKeys,
  revokeApiKey,
  type ApiKey,
  type Executor,
} from '@tierkit/db';
import { credentialsChanged } from './credential-cache.js';
import { reachOf, type Principal } from './principal.js';
import { AUDITOR, EMBEDDER, isKeyRole, isStaffRole, ownedKeyRole, ROLES, roleAtLeast, type KeyRole, type StaffRole } from './roles.js';
import { constantTimeEqual, hashSecret, KEY_SECRET_PATTERN, newKeySecret, randomId } from './secrets.js';

/** An API key as operators list it: never the secret, never its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly tenantId: string;
  readonly role: KeyRole;
  readonly label: string;
  /** The first characters of the secret, to tell keys apart. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /**
   * The staff member of the tenant who holds the key, or null for a key nobody owns. Four eyes counts
   * an owned key as its owner (`staff:<id>`) and an unowned one as a person of its own.
   */
  readonly staffId: string | null;
}

/**
 * Why a key was not made for the owner it names: no such staff member in the tenant, or a role above
 * theirs (`allowed`: the roles their key may have). A caller's input, never the database's failure, so
 * the API answers it with a 400 and the CLI with exit 1, even when the owner changed since they looked.
 */
export class KeyOwnerRefused extends Error {
  constructor(
    readonly reason: 'unknown-staff' | 'role-above-owner',
    readonly staffId: string,
    readonly ownerRole: string | null,
    readonly allowed: readonly StaffRole[],
    message: string,
  ) {
    super(message);
    this.name = 'KeyOwnerRefused';
  }
}

/** A stored key as the library describes it (never its secret's hash). */
export function apiKeyInfo(key: ApiKey): ApiKeyInfo {
  return {
    id: key.id,
    tenantId: key.tenantId,
    role: key.role as KeyRole,
    label: key.label,
    prefix: key.prefix,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    staffId: key.staffId,
  };
}

async function store(
  db: Executor,
  tenantId: string,
  role: KeyRole,
  label: string,
  secret: string,
  now: Date,
  staffId: string | null = null,
): Promise<ApiKeyInfo> {
  if (!isKeyRole(role)) throw new Error(`unknown role "${String(role)}"`);
  if (!label.trim()) throw new Error('an API key needs a label');
  if (!(await findTenant(db, tenantId))) throw new Error(`tenant "${tenantId}" does not exist`);
  // An embedder key is the portal backend's, a machine's, and acts for nobody: owned, it would be held
  // to its owner's role, which it is outside of, and be cut off when they leave.
  if (staffId !== null) {
    if (role === EMBEDDER) throw new Error('an embedder key has no owner: leave the staff member out');
    const owner = await findStaff(db, tenantId, staffId);
    if (!owner)
      throw new KeyOwnerRefused(
        'unknown-staff',
        staffId,
        null,
        [],
        `no staff member "${staffId}" in tenant "${tenantId}": create them first (PUT /v1/staff/{id}), or leave the key unowned`,
      );
    // A leaver's powers went with `disableStaff`: a new key would hand them back.
    if (owner.disabledAt !== null)
      throw new KeyOwnerRefused(
        'unknown-staff',
        staffId,
        null,
        [],
        `staff member "${staffId}" of tenant "${tenantId}" is disabled: give them a role again first (PUT /v1/staff/{id}), or leave the key unowned`,
      );
    // A key acts for its owner: it may not do more than they may (and is held to their role later too).
    // An auditor's key is an auditor's only, and an auditor owns no other: the roles are not comparable.
    if (!isStaffRole(owner.role) || ownedKeyRole(role, owner.role) !== role) {
      const ownerRole = owner.role;
      const allowed: readonly StaffRole[] = !isStaffRole(ownerRole)
        ? []
        : ownerRole === AUDITOR
          ? [AUDITOR]
          : ROLES.filter((r) => roleAtLeast(ownerRole, r));
      throw new KeyOwnerRefused(
        'role-above-owner',
        staffId,
        ownerRole,
        allowed,
        // "Higher" where the roles compare (the refusal the README quotes); an auditor's role compares with none.
        `staff member "${staffId}" has the ${ownerRole} role; their key may not have the ${role === AUDITOR || ownerRole === AUDITOR ? '' : 'higher '}role ${role}`,
      );
    }
  }
  const key = await insertApiKey(db, {
    id: randomId('key_'),
    tenantId,
    secretHash: hashSecret(secret),
    prefix: secret.slice(0, 10),
    role,
    label: label.trim(),
    createdAt: now.toISOString(),
    staffId,
  });
  return apiKeyInfo(key);
}

/**
 * Create an API key. The returned `secret` exists only here: the database keeps its SHA-256 hash,
 * so show it to the operator once and never log it. `staffId` names the staff member of the tenant
 * who will hold it (`KeyOwnerRefused` when the tenant has no such staff member, or when the key's role
 * is above theirs); keys of `FOUR_EYES_ROLES` should have one, or four eyes cannot tell their holder
 * from the holder's other credentials.
 */
export async function createApiKey(
  db: Executor,
  options: { tenantId: string; role: KeyRole; label: string; staffId?: string; now?: Date },
): Promise<{ key: ApiKeyInfo; secret: string }> {
  const secret = newKeySecret();
  const key = await store(db, options.tenantId, options.role, options.label, secret, options.now ?? new Date(), options.staffId ?? null);
  return { key, secret };
}

/**
 * Make sure a key with exactly this secret exists for the tenant with the role (operations
 * bootstrap: `TIERKIT_ADMIN_KEY`). A key with that secret that was revoked, or that belongs to
 * another tenant or role, is an error: it is never silently revived or widened.
 */
export async function ensureApiKey(
  db: Executor,
  options: { tenantId: string; secret: string; role: KeyRole; label: string; now?: Date },
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
    return { key: apiKeyInfo(existing), created: false };
  }
  return { key: await store(db, options.tenantId, options.role, options.label, options.secret, options.now ?? new Date()), created: true };
}

/** Every key (optionally of one tenant), without secrets. */
export async function listKeys(db: Executor, tenantId?: string): Promise<ApiKeyInfo[]> {
  return (await listApiKeys(db, tenantId)).map(apiKeyInfo);
}

/**
 * The key a secret belongs to, revoked or not (an operator revoking a leaked key may hold only its
 * secret). Looked up by hash: the secret itself never reaches the database.
 */
export async function findKeyBySecret(db: Executor, secret: string): Promise<ApiKeyInfo | undefined> {
  const key = await findApiKeyByHash(db, hashSecret(secret));
  return key ? apiKeyInfo(key) : undefined;
}

/**
 * Revoke a key: it authenticates nothing from now on. False when there was no such active key. Given
 * a transaction, the caller calls `credentialsChanged()` once it has committed: told earlier, this
 * process's credential cache could verify the key again from the still-committed row and keep it.
 */
export function revokeKey(db: Executor, id: string, now: Date = new Date()): Promise<boolean> {
  const revoked = revokeApiKey(db, id, now.toISOString());
  return db.isTransaction ? revoked : revoked.finally(credentialsChanged);
}

/**
 * Revoke every unrevoked key `staffId` holds in the tenant (someone leaving), answering those revoked
 * as they were. Given a transaction, the caller calls `credentialsChanged()` once it has committed (as
 * for `revokeKey`). The keys are locked first, in the order every revocation of several keys takes
 * (`lockUnrevokedKeys`): revoked one by one in another order, they could deadlock with an HTTP
 * revocation holding the tenant's admin keys.
 */
export async function revokeKeysOf(db: Executor, tenantId: string, staffId: string, now: Date = new Date()): Promise<ApiKeyInfo[]> {
  if (!db.isTransaction) {
    const done = await db.transaction().execute((trx) => revokeKeysOf(trx, tenantId, staffId, now));
    if (done.length) credentialsChanged();
    return done;
  }
  const revoked: ApiKeyInfo[] = [];
  for (const key of await lockUnrevokedKeys(db, tenantId, { staffId }))
    if (await revokeApiKey(db, key.id, now.toISOString())) revoked.push(apiKeyInfo(key));
  return revoked;
}

/** Why a key secret authenticates nothing: not a key (or revoked), or its owner is no longer on staff. */
export type KeyFailure = 'unknown' | 'owner-gone';

/**
 * The principal an API key secret stands for. An owned key acts for its owner as the staff table
 * has them now, as their tokens do: with the lower of the key's role and theirs (a demotion applies
 * to their keys at once), within their book when they are book-scoped, and not at all once they are
 * gone from the table.
 */
export async function verifyKey(
  db: Executor,
  secret: string,
): Promise<{ ok: true; principal: Principal } | { ok: false; reason: KeyFailure }> {
  const hash = hashSecret(secret);
  const key = await findApiKeyByHash(db, hash);
  // The lookup is by hash (the secret never reaches the database); compare again in constant time.
  if (!key || !constantTimeEqual(Buffer.from(key.secretHash, 'hex'), Buffer.from(hash, 'hex'))) return { ok: false, reason: 'unknown' };
  if (key.revokedAt !== null || !isKeyRole(key.role)) return { ok: false, reason: 'unknown' };
  const principal: Principal = { tenantId: key.tenantId, via: 'key', role: key.role, subject: null, origins: null, actor: `key:${key.id}` };
  // An embedder key is never owned (`store`); one made owned by hand in the database still acts for nobody.
  if (key.staffId === null || key.role === EMBEDDER) return { ok: true, principal };
  const owner = await findStaff(db, key.tenantId, key.staffId);
  if (!owner || owner.disabledAt !== null || !isStaffRole(owner.role)) return { ok: false, reason: 'owner-gone' };
  // An auditor's key whose owner is no longer an auditor (or the reverse) acts as nobody: see `ownedKeyRole`.
  const role = ownedKeyRole(key.role, owner.role);
  if (role === undefined) return { ok: false, reason: 'owner-gone' };
  return {
    ok: true,
    principal: {
      ...principal,
      role,
      staffId: owner.id,
      ...(await reachOf(db, owner)),
    },
  };
}

/** The principal an API key secret stands for, or undefined when it authenticates nothing (see `verifyKey`). */
export async function authenticateKey(db: Executor, secret: string): Promise<Principal | undefined> {
  const verified = await verifyKey(db, secret);
  return verified.ok ? verified.principal : undefined;
}

/**
 * The person behind a stored actor, as four eyes compares them: `staff:<id>` for a key that staff
 * member owns, the actor itself otherwise (a staff token's `staff:<id>`, an unowned key's `key:<id>`,
 * `system`). A key's owner never changes, so an actor recorded long ago resolves to the same person.
 * A re-tier job (`job:<id>`) acts for whoever started it: a level its chunk moved is that person's
 * request, so they cannot sign it off with another credential of theirs.
 */
export async function personOfActor(db: Executor, tenantId: string, actor: string): Promise<string> {
  if (actor.startsWith('job:')) {
    const job = await findJob(db, tenantId, actor.slice('job:'.length));
    // A job is never started by a job, so this looks one step deep.
    return job && !job.requested_by.startsWith('job:') ? personOfActor(db, tenantId, job.requested_by) : actor;
  }
  if (!actor.startsWith('key:')) return actor;
  const key = await findApiKey(db, tenantId, actor.slice('key:'.length));
  return key?.staffId ? `staff:${key.staffId}` : actor;
}

/**
 * The credentials {@link personOfActor} maps to the same person as `actor`: the actor, the staff
 * member's own `staff:<id>` and every key they own — the inverse of personOfActor but for re-tier jobs
 * (`job:<id>`), which the approvals queue's SQL matches by who started them (approvals-window.ts
 * `requesterCondition`), so a queue filtered by requester (`GET /v1/approvals?mine=`) agrees with
 * `requestedByYou` item by item however many jobs the person started.
 */
export async function actorsOfPerson(db: Executor, tenantId: string, actor: string): Promise<string[]> {
  const person = await personOfActor(db, tenantId, actor);
  const actors = new Set([actor, person]);
  if (person.startsWith('staff:')) for (const a of await actorsOfStaff(db, tenantId, person.slice('staff:'.length))) actors.add(a);
  return [...actors];
}
