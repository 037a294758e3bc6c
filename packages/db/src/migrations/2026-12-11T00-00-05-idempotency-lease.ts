import type { Kysely } from 'kysely';

/*
 * An Idempotency-Key's reservation gets a lease its running request renews (packages/api/README.md,
 * "Idempotency"): `holder` names the request holding it, `lease_until` when the reservation lapses
 * unless renewed. Before this, a key whose process died stayed "in use" until 5 minutes after its
 * `created_at`; rows written by a release before this one have neither column and are judged that way.
 * Undoing drops both columns: a release before this one never reads them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  const keys = tables.find((t) => t.name === 'idempotency_keys');
  if (keys?.columns.some((c) => c.name === 'lease_until')) return;
  await db.schema.alterTable('idempotency_keys').addColumn('holder', 'text').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('lease_until', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('lease_until').execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('holder').execute();
}
