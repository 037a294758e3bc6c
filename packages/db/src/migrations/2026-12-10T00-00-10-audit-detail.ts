import type { Kysely } from 'kysely';

/*
 * What a write changed, on its audit record: the route, its path parameters and its status say who
 * did what to which path, but not to whom an embed token was minted (the subject is in the body),
 * which import or job a POST created, or what a staff member's role was before an admin changed it.
 * `detail` is JSON the route gives (packages/api/README.md, "Audit"); null on records written before
 * it existed and on those with nothing to add, which hash as they always did.
 *
 * Undoing this keeps the column: dropping it would erase sealed details, and every record holding one
 * would then fail verification. A release before this one writes no detail and never reads it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  const records = tables.find((t) => t.name === 'audit_records');
  if (records?.columns.some((c) => c.name === 'detail')) return;
  await db.schema.alterTable('audit_records').addColumn('detail', 'text').execute();
}

export async function down(): Promise<void> {}
