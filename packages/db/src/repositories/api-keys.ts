import type { ApiKeyRow } from '../schema.js';
import { chunks, isPostgres, type Executor } from './executor.js';

/** An API key as the application sees it; the secret itself is never stored. */
export interface ApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly secretHash: string;
  readonly prefix: string;
  readonly role: string;
  readonly label: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** The staff member of the key's tenant who holds it; null when nobody owns it. */
  readonly staffId: string | null;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    secretHash: row.secret_hash,
    prefix: row.prefix,
    role: row.role,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    staffId: row.staff_id,
  };
}

/** Store a new key (its hash, never its secret). */
export async function insertApiKey(db: Executor, key: Omit<ApiKey, 'revokedAt'>): Promise<ApiKey> {
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      tenant_id: key.tenantId,
      secret_hash: key.secretHash,
      prefix: key.prefix,
      role: key.role,
      label: key.label,
      created_at: key.createdAt,
      revoked_at: null,
      staff_id: key.staffId,
    })
    .execute();
  return { ...key, revokedAt: null };
}

/** The key whose secret hashes to `secretHash`, revoked or not, in any tenant. */
export async function findApiKeyByHash(db: Executor, secretHash: string): Promise<ApiKey | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
  return row ? toApiKey(row) : undefined;
}

/** The key `id` of one tenant, revoked or not. */
export async function findApiKey(db: Executor, tenantId: string, id: string): Promise<ApiKey | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row ? toApiKey(row) : undefined;
}

/** Every key, optionally of one tenant, oldest first. */
export async function listApiKeys(db: Executor, tenantId?: string): Promise<ApiKey[]> {
  let q = db.selectFrom('api_keys').selectAll().orderBy('tenant_id').orderBy('created_at').orderBy('id');
  if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  return (await q.execute()).map(toApiKey);
}

/** Revoke a key from now on. Returns false when no unrevoked key has that id. */
export async function revokeApiKey(db: Executor, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Where a page of a tenant's keys starts: after this key, in creation order. */
export interface ApiKeyPosition {
  readonly createdAt: string;
  readonly id: string;
}

/**
 * One page of a tenant's keys, oldest first (ties by id), after `after`. Keyset, not offset: a key
 * created while an admin pages through the list neither repeats one nor skips one.
 */
export async function pageApiKeys(
  db: Executor,
  tenantId: string,
  query: { readonly limit: number; readonly after?: ApiKeyPosition },
): Promise<ApiKey[]> {
  let q = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId);
  const after = query.after;
  if (after !== undefined) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
    );
  }
  return (await q.orderBy('created_at').orderBy('id').limit(query.limit).execute()).map(toApiKey);
}

/** An unrevoked key, with its owner as the staff table has them now. */
export interface KeyWithOwner {
  readonly key: ApiKey;
  /** The owner's id, role and scope; undefined for a key nobody owns, null for an owner gone from the staff table. */
  readonly owner: { readonly id: string; readonly role: string; readonly scope: string } | null | undefined;
}

/**
 * The tenant's unrevoked keys of one role or of one owner, by id, locked on PostgreSQL until the
 * transaction ends (`SELECT … ORDER BY id FOR UPDATE`): a revocation of one of them waits for this
 * transaction and then sees what it did. SQLite's writer holds the whole file, so there the
 * transaction (begun IMMEDIATE) is enough. Call it in a transaction.
 *
 * Lock order: every transaction that revokes several keys, or decides a revocation by other keys,
 * locks them here first, before it writes any — an HTTP revocation the tenant's admin keys, the CLI's
 * `keys revoke --staff` the leaver's — so all take key rows in one order, the statement's `ORDER BY
 * id` (the database's, not a sort in JavaScript, whose order of ids may differ from its collation's).
 * Two of them then queue on the first row they share rather than each holding one the other waits
 * for, which PostgreSQL answers by aborting one (a 500, or a failed offboarding). One key's revocation
 * alone (a single UPDATE, holding no other key) needs no pass first. Key rows come before staff rows
 * (`lockKeyOwners`).
 */
export async function lockUnrevokedKeys(
  db: Executor,
  tenantId: string,
  /** `orStaffId`: with the role's keys, those a staff member owns, in the same one pass (a departure decided by the admin keys). */
  of: { readonly role: string; readonly orStaffId?: string } | { readonly staffId: string },
): Promise<ApiKey[]> {
  let keys = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('revoked_at', 'is', null);
  if (!('role' in of)) keys = keys.where('staff_id', '=', of.staffId);
  else if (of.orStaffId === undefined) keys = keys.where('role', '=', of.role);
  else {
    const { role, orStaffId } = of;
    keys = keys.where((eb) => eb.or([eb('role', '=', role), eb('staff_id', '=', orStaffId)]));
  }
  keys = keys.orderBy('id');
  if (isPostgres(db)) keys = keys.forUpdate();
  return (await keys.execute()).map(toApiKey);
}

/**
 * `keys` with their owners as the staff table has them now, the owners' rows held `FOR SHARE` on
 * PostgreSQL until the transaction ends, so a change of one (a demotion, a departure) waits for it.
 * Taken after the keys (`lockUnrevokedKeys`), in id order. Call it in a transaction.
 */
export async function lockKeyOwners(db: Executor, tenantId: string, keys: readonly ApiKey[]): Promise<KeyWithOwner[]> {
  const ownerIds = [...new Set(keys.flatMap((k) => (k.staffId === null ? [] : [k.staffId])))].sort();
  const owners = new Map<string, { id: string; role: string; scope: string }>();
  for (const batch of chunks(ownerIds)) {
    let q = db.selectFrom('staff').select(['id', 'role', 'scope']).where('tenant_id', '=', tenantId).where('id', 'in', batch).orderBy('id');
    if (isPostgres(db)) q = q.forShare();
    for (const s of await q.execute()) owners.set(s.id, { id: s.id, role: s.role, scope: s.scope });
  }
  return keys.map((key) => ({ key, owner: key.staffId === null ? undefined : (owners.get(key.staffId) ?? null) }));
}

/**
 * Whether the tenant has an unrevoked key nobody owns with one of `roles`, other than the keys
 * `except` (ids): an operator's or an integration's credential that may decide what four eyes asks
 * (the approvals queue's `approvalBlocked`).
 */
export async function anyUnownedKey(db: Executor, tenantId: string, roles: readonly string[], except: readonly string[]): Promise<boolean> {
  if (!roles.length) return false;
  let q = db
    .selectFrom('api_keys')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .where('staff_id', 'is', null)
    .where('role', 'in', [...roles]);
  if (except.length) q = q.where('id', 'not in', [...except]);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * The actors a staff member acted as: their staff token's `staff:<id>` and every key they own, revoked
 * ones too (what they did with a key before it was revoked is still theirs). A key's owner never changes,
 * so this is the same set for a record of any age. In id order.
 */
export async function actorsOfStaff(db: Executor, tenantId: string, staffId: string): Promise<string[]> {
  const keys = await db
    .selectFrom('api_keys')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .orderBy('id')
    .execute();
  return [`staff:${staffId}`, ...keys.map((k) => `key:${k.id}`)];
}

/** A key as a reader of the trail names it: its label and owner (null: nobody owns it). */
export interface KeyLabel {
  readonly label: string;
  readonly staffId: string | null;
}

/** The labels and owners of the tenant's keys `ids` (ids it does not have are absent), in one query per thousand. */
export async function keyLabelsOf(db: Executor, tenantId: string, ids: readonly string[]): Promise<Map<string, KeyLabel>> {
  const out = new Map<string, KeyLabel>();
  for (const batch of chunks([...new Set(ids)])) {
    if (!batch.length) continue;
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'label', 'staff_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', batch)
      .execute();
    for (const r of rows) out.set(r.id, { label: r.label, staffId: r.staff_id });
  }
  return out;
}
