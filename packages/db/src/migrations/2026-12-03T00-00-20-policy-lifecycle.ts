import type { Kysely } from 'kysely';

/*
 * Policy versions get a lifecycle (draft → submitted → active from `effective_from` → retired, or
 * rejected): who wrote (JSON array of actors) and submitted a version, the hash of the content submitted (what an
 * approval binds to), who decided, when and why, and when it was retired. Existing rows were
 * provisioned or imported as active and keep every new column null.
 */

const COLUMNS = [
  'authors',
  'submitted_by',
  'submitted_at',
  'content_hash',
  'decided_by',
  'decided_at',
  'note',
  'retired_by',
  'retired_at',
  'retire_note',
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of COLUMNS) await db.schema.alterTable('policies').addColumn(column, 'text').execute();
  // The lifecycle lists a scheme's versions and the tenant's pending ones.
  await db.schema.createIndex('policies_tenant_scheme_status_idx').on('policies').columns(['tenant_id', 'scheme', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('policies_tenant_scheme_status_idx').execute();
  for (const column of [...COLUMNS].reverse()) await db.schema.alterTable('policies').dropColumn(column).execute();
}
