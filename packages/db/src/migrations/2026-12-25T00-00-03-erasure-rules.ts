import { sql, type Kysely } from 'kysely';

/*
 * Which clearing rules an erased customer was cleared under (docs/operations.md, "Catching up earlier
 * erasures"): `subjects.erasure_rules`, the version of what an erasure clears (ERASURE_RULES) that their
 * erasure, or the last `tierkit retention rescrub`, applied to them. 0 for every customer erased before
 * this migration (and for the rest, whom it does not concern): no one knows what their erasure cleared,
 * so the next rescrub looks at them, and then no more.
 *
 * The index is what a rescrub walks, a chunk after the last in (rules, id) order: only erased customers,
 * those under older rules first and together, so a rescrub with none left reads no row of the book.
 * Undone, the column goes: a release before it knows nothing of it, and one after it, installed again,
 * starts the rescrub over from everyone, which is safe.
 */
export const ERASURE_RULES_INDEX = 'subjects_erased_rules_idx';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('subjects')
    .addColumn('erasure_rules', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex(ERASURE_RULES_INDEX)
    .on('subjects')
    .columns(['tenant_id', 'erasure_rules', 'id'])
    .where(sql.ref('erased_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(ERASURE_RULES_INDEX).ifExists().execute();
  await db.schema.alterTable('subjects').dropColumn('erasure_rules').execute();
}
