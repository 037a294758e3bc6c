import type { IdempotencyKeyRow } from '../schema.js';
import type { Executor } from './executor.js';

/** Whose key it is: keys are scoped to the tenant and the credential's actor, never shared. */
export interface IdempotencyScope {
  readonly tenantId: string;
  readonly actor: string;
  readonly key: string;
}

/**
 * Claim a key for a request about to run: true when this request holds it now, else the row another
 * request with the same key left (running: `status` null; finished: its response). An expired row is
 * dropped first, so an old key starts afresh. The primary key makes the claim atomic on both
 * dialects: of two concurrent claims exactly one inserts.
 */
export async function claimIdempotencyKey(
  db: Executor,
  scope: IdempotencyScope,
  requestHash: string,
  now: string,
  expiresAt: string,
): Promise<true | IdempotencyKeyRow> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .where('expires_at', '<=', now)
    .execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      tenant_id: scope.tenantId,
      actor: scope.actor,
      key: scope.key,
      request_hash: requestHash,
      status: null,
      content_type: null,
      body: null,
      created_at: now,
      expires_at: expiresAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'actor', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return true;
  const row = await findIdempotencyKey(db, scope);
  // Deleted between the insert and this read (expired and purged): claim again.
  return row ?? claimIdempotencyKey(db, scope, requestHash, now, expiresAt);
}

/** The stored row of a key, if any. */
export function findIdempotencyKey(db: Executor, scope: IdempotencyScope): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .executeTakeFirst();
}

/** Store the response of the request that holds the key, for replays. */
export async function completeIdempotencyKey(
  db: Executor,
  scope: IdempotencyScope,
  response: { status: number; contentType: string | null; body: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: response.status, content_type: response.contentType, body: response.body })
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .execute();
}

/** Give a key up (the request failed on our side): a retry with it runs again. */
export async function releaseIdempotencyKey(db: Executor, scope: IdempotencyScope): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .execute();
}

/** Forget every key expired by `now` (any tenant). Returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Executor, now: string): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
