import type { Kysely } from 'kysely';

/*
 * The overrides expiring soon (`GET /v1/overrides?expiresBefore=`, the book page's 即将到期的调整, now
 * soonest first with `sort=expiresAt`) were read from the (tenant, status, created) index: every
 * override the tenant ever approved — an expired one keeps its status — checked for its expiry, then
 * sorted. An index by expiry seeks the month's few and hands them in expiry then id order, the list's
 * own, so a page stops after its rows. Undoing this drops the index; the lists answer the same.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('overrides_tenant_status_expiry_idx')
    .ifNotExists()
    .on('overrides')
    .columns(['tenant_id', 'status', 'expires_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('overrides_tenant_status_expiry_idx').ifExists().execute();
}
