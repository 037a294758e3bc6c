import type { SigningKeyRow } from '../schema.js';
import type { Executor } from './executor.js';

/** A tenant's token-signing secret. */
export interface SigningKey {
  readonly id: string;
  readonly tenantId: string;
  readonly secret: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
}

function toSigningKey(row: SigningKeyRow): SigningKey {
  return { id: row.id, tenantId: row.tenant_id, secret: row.secret, createdAt: row.created_at, retiredAt: row.retired_at };
}

/** Store a signing key. */
export async function insertSigningKey(db: Executor, key: Omit<SigningKey, 'retiredAt'>): Promise<SigningKey> {
  await db
    .insertInto('signing_keys')
    .values({ id: key.id, tenant_id: key.tenantId, secret: key.secret, created_at: key.createdAt, retired_at: null })
    .execute();
  return { ...key, retiredAt: null };
}

/** The signing key with this id, if it is not retired. */
export async function findSigningKey(db: Executor, id: string): Promise<SigningKey | undefined> {
  const row = await db.selectFrom('signing_keys').selectAll().where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
  return row ? toSigningKey(row) : undefined;
}

/** The tenant's newest unretired signing key: new tokens are signed with it. */
export async function currentSigningKey(db: Executor, tenantId: string): Promise<SigningKey | undefined> {
  const row = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? toSigningKey(row) : undefined;
}

/** Retire every signing key of the tenant except `keepId`: tokens they signed stop verifying. */
export async function retireSigningKeys(db: Executor, tenantId: string, keepId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('signing_keys')
    .set({ retired_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '!=', keepId)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
