import type { Kysely } from 'kysely';

/*
 * A customer who leaves the bank (销户): when (ISO UTC) and why. Null on every subject that has not
 * left, which is every subject before this release. Closing keeps the subject and all its history —
 * its levels, events and metrics are the record of a past customer — and only takes it out of what
 * describes the current book (jobs, the matrix, the list, analytics from the month it left).
 *
 * Undoing this drops the columns: a release before this one knows no closed customers, and would
 * re-tier and count them again, which is what it did before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  const subjects = tables.find((t) => t.name === 'subjects');
  if (!subjects?.columns.some((c) => c.name === 'closed_at')) {
    await db.schema.alterTable('subjects').addColumn('closed_at', 'text').execute();
  }
  if (!subjects?.columns.some((c) => c.name === 'closed_reason')) {
    await db.schema.alterTable('subjects').addColumn('closed_reason', 'text').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('subjects').dropColumn('closed_reason').execute();
  await db.schema.alterTable('subjects').dropColumn('closed_at').execute();
}
