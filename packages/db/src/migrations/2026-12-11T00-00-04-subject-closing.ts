import { sql, type Kysely } from 'kysely';

/*
 * A customer who leaves the bank (销户): when (ISO UTC) and why. Null on every subject that has not
 * left, which is every subject before this release. Closing keeps the subject and all its history —
 * its levels, events and metrics are the record of a past customer — and only takes it out of what
 * describes the current book (jobs, the matrix, the list, analytics from the month it left).
 *
 * Undoing this keeps the columns: dropping them would forget who left the bank and why, which no
 * later upgrade could bring back. A release before this one never reads them (it tiers and counts a
 * closed customer as it always did), and running this again finds them there.
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
  // The few who left, by tenant: what the matrix and the analytics leave out is read from here
  // instead of from every subject row.
  await db.schema
    .createIndex(SUBJECTS_CLOSED_INDEX)
    .ifNotExists()
    .on('subjects')
    .columns(['tenant_id', 'closed_at'])
    .where(sql.ref('closed_at'), 'is not', null)
    .execute();
}

export const SUBJECTS_CLOSED_INDEX = 'subjects_closed_idx';

export async function down(): Promise<void> {}
