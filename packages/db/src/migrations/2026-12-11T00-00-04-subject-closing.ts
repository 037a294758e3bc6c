import { sql, type Kysely } from 'kysely';

/*
 * A customer who leaves the bank (销户): when (ISO UTC) and why. Null on every subject that has not
 * left, which is every subject before this release. Closing keeps the subject and all its history —
 * its levels, events and metrics are the record of a past customer — and only takes it out of what
 * describes the current book (jobs, the matrix, the list, analytics from the month it left).
 *
 * Undoing this keeps the columns: dropping them would forget who left the bank and why, which no
 * later upgrade could bring back. A release before this one never reads them (it tiers and counts a
 * closed customer as it always did), and running this again finds them there. The same holds for
 * \`subject_closings\`, each closing with its reopening.
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
  // Every closing there ever was, with its reopening: \`subjects.closed_at\` is only the current one,
  // and a month's figures must not change when a customer comes back later.
  await db.schema
    .createTable('subject_closings')
    .ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('reopened_at', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subject_closings_subject_idx')
    .ifNotExists()
    .on('subject_closings')
    .columns(['subject_id', 'closed_at'])
    .execute();
  // What analytics read: the tenant's closings before a month's end.
  await db.schema
    .createIndex('subject_closings_tenant_idx')
    .ifNotExists()
    .on('subject_closings')
    .columns(['tenant_id', 'closed_at'])
    .execute();
}

export const SUBJECTS_CLOSED_INDEX = 'subjects_closed_idx';

export async function down(): Promise<void> {}
