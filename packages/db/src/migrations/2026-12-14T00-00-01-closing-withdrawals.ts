import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * Which closing withdrew an override request or a level sign-off, named on the item itself, so that a
 * later step on it can tell the closing its customer is under now from anything else exactly: a
 * person's withdrawal, or an earlier closing they were reopened from. Each closing gets an id of its
 * own (`subject_closings.id`), and what it withdraws names it (`withdrawn_by_closing`, null on
 * everything no closing withdrew).
 *
 * Before this release a closing left only its note ("customer closed") and its instant on what it
 * withdrew, and that was the rule: an item withdrawn with the note at the very instant its customer's
 * closing was recorded was that closing's. Upgraded items are marked by that rule, so every step
 * answers as it did; from here on the marker alone decides.
 *
 * Undoing this keeps the columns, as the closing's own migration does: a release before this one never
 * reads them, and running this again marks only what is still unmarked.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  const has = (table: string, column: string) => tables.find((t) => t.name === table)?.columns.some((c) => c.name === column);
  if (!has('subject_closings', 'id')) await db.schema.alterTable('subject_closings').addColumn('id', 'text').execute();
  // Closings of an earlier release (or written by one after this was undone) have no id: a random one
  // each, drawn row by row (both functions are volatile), since two of one customer may share every column.
  const drawn =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? sql`'cls_' || md5(random()::text || clock_timestamp()::text)`
      : sql`'cls_' || lower(hex(randomblob(16)))`;
  await sql`UPDATE subject_closings SET id = ${drawn} WHERE id IS NULL`.execute(db);
  await db.schema.createIndex('subject_closings_id_idx').ifNotExists().unique().on('subject_closings').column('id').execute();

  for (const table of ['overrides', 'level_approvals']) {
    if (!has(table, 'withdrawn_by_closing')) await db.schema.alterTable(table).addColumn('withdrawn_by_closing', 'text').execute();
    // The rule of the release before: the closing's note (the text closeSubject wrote then), at the instant
    // a closing of the same customer was recorded. Where two closings of the customer were recorded at that
    // instant, the one they are still under, so that the step answers as it did.
    await sql`UPDATE ${sql.table(table)} SET withdrawn_by_closing = (
        SELECT c.id FROM subject_closings c
        WHERE c.tenant_id = ${sql.table(table)}.tenant_id AND c.subject_id = ${sql.table(table)}.subject_id
          AND c.recorded_at = ${sql.table(table)}.decided_at
        ORDER BY CASE WHEN c.reopened_at IS NULL THEN 0 ELSE 1 END, c.closed_at DESC
        LIMIT 1)
      WHERE status = 'withdrawn' AND decision_note = 'customer closed' AND withdrawn_by_closing IS NULL`.execute(db);
  }
}

export async function down(): Promise<void> {}
