import { type RawBuilder, sql } from 'kysely';
import type { IdempotencyKeyRow } from '../schema.js';
import { isPostgres, type Executor } from './executor.js';

/** Whose key it is: keys are scoped to the tenant and the credential's actor, never shared. */
export interface IdempotencyScope {
  readonly tenantId: string;
  readonly actor: string;
  readonly key: string;
}

/** The request holding a key's reservation, and for how long from now it holds it unless it renews. */
export interface IdempotencyLease {
  readonly holder: string;
  readonly leaseMs: number;
}

/**
 * The database's clock `plusMs` from now, as the ISO text (`…T…Z`, milliseconds) `lease_until` holds.
 * Leases are written and judged by this one clock, not each instance's: two instances' clocks a few
 * seconds apart would otherwise let one take over a lease the other is still renewing.
 */
function databaseNow(db: Executor, plusMs = 0): RawBuilder<string> {
  const ms = Math.round(plusMs);
  if (isPostgres(db))
    return sql<string>`to_char((statement_timestamp() + ${ms}::integer * interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  // SQLite runs on one machine: its clock is every writer's.
  return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`${ms >= 0 ? '+' : ''}${ms / 1000} seconds`})`;
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
  lease: IdempotencyLease,
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
      holder: lease.holder,
      lease_until: databaseNow(db, lease.leaseMs),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'actor', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return true;
  const row = await findIdempotencyKey(db, scope);
  // Deleted between the insert and this read (expired and purged): claim again.
  return row ?? claimIdempotencyKey(db, scope, requestHash, now, expiresAt, lease);
}

/**
 * Take over a reservation whose holder stopped renewing it (its process died): true when this request
 * holds it now. One conditional update, so it cannot win against a renewal: whichever of the two
 * writes the row first decides, and the other's condition no longer holds (PostgreSQL re-checks it
 * on the row it waited for; SQLite has one writer). The lapse is judged by the database's clock. A row
 * from before leases (no `lease_until`) lapses when its `created_at` is before `abandonedBefore`, as it did then.
 */
export async function takeOverIdempotencyKey(
  db: Executor,
  scope: IdempotencyScope,
  requestHash: string,
  abandonedBefore: string,
  lease: IdempotencyLease,
): Promise<boolean> {
  const r = await db
    .updateTable('idempotency_keys')
    .set({ holder: lease.holder, lease_until: databaseNow(db, lease.leaseMs) })
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .where('request_hash', '=', requestHash)
    .where('status', 'is', null)
    .where((eb) =>
      eb.or([eb('lease_until', '<=', databaseNow(db)), eb.and([eb('lease_until', 'is', null), eb('created_at', '<=', abandonedBefore)])]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Extend a running request's reservation: false when it is no longer this holder's (another request
 * took it over after the lease lapsed, or it was released).
 */
export async function renewIdempotencyLease(db: Executor, scope: IdempotencyScope, lease: IdempotencyLease): Promise<boolean> {
  const r = await db
    .updateTable('idempotency_keys')
    .set({ lease_until: databaseNow(db, lease.leaseMs) })
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .where('holder', '=', lease.holder)
    .where('status', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
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

/**
 * Store the response of the request that holds the key, for replays: only while `holder` still holds
 * it, so a request that lost its reservation leaves the one that took it over alone.
 */
export async function completeIdempotencyKey(
  db: Executor,
  scope: IdempotencyScope,
  response: { status: number; contentType: string | null; body: string },
  holder: string,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: response.status, content_type: response.contentType, body: response.body, lease_until: null })
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .where('holder', '=', holder)
    .where('status', 'is', null)
    .execute();
}

/** Give a key up (the request `holder` failed on our side): a retry with it runs again. */
export async function releaseIdempotencyKey(db: Executor, scope: IdempotencyScope, holder: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', scope.tenantId)
    .where('actor', '=', scope.actor)
    .where('key', '=', scope.key)
    .where('holder', '=', holder)
    .where('status', 'is', null)
    .execute();
}

/** Forget every key expired by `now` (any tenant). Returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Executor, now: string): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
