import type { Kysely } from 'kysely';

/*
 * When a customer really left, kept beside the closing's `closed_at` only where the two differ: a
 * closing the bank learnt of after the month it happened in was made final is counted from the first
 * instant allowed (`closed_at`, what analytics and jobs read, so a final month's figures stay as the
 * bank read them), while staff and the audit trail need the real date. Null on every closing before
 * this release and on every closing dated in an open month.
 *
 * Undoing this keeps the columns, as the closing's own migration does: dropping them would forget
 * when customers really left. A release before this one never reads them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  for (const name of ['subjects', 'subject_closings']) {
    const table = tables.find((t) => t.name === name);
    if (!table?.columns.some((c) => c.name === 'left_at')) await db.schema.alterTable(name).addColumn('left_at', 'text').execute();
  }
}

export async function down(): Promise<void> {}
