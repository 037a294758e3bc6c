import { type Kysely, sql } from 'kysely';

/*
 * The writer of a risk input's stored value moves into the value's own row (`metrics.written_by`),
 * out of `sign_off_input_writers`. That table held one row per value, its last writer, never a history:
 * the same key as the metric row, so an import of risk inputs paid for a second b-tree (two on SQLite,
 * a rowid table and its key) and a second statement per batch to say what the row itself can hold — the
 * import's own upsert now writes it (BENCHMARKS.md, import bench, session 40).
 *
 * Every writer row moves to its value's row, so the four-eyes check answers as before. A writer row
 * with no metric row beside it is not moved: the check asks only about months it reads from `metrics`,
 * and no writer has left such a row (a value is written before its writer, and an erasure deletes
 * both in one transaction).
 * Undoing this puts the writers back in the table (`written_at` is the undo's time: the moment of
 * each write is not kept, and nothing read it) and drops the column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('metrics').addColumn('written_by', 'text').execute();
  // Driven by the writer rows (few), each finding its value by the metrics key: no scan of the metrics.
  await sql`UPDATE metrics SET written_by = w.written_by FROM sign_off_input_writers w
    WHERE metrics.subject_id = w.subject_id AND metrics.metric = w.metric AND metrics.period = w.period
      AND metrics.tenant_id = w.tenant_id`.execute(db);
  await db.schema.dropTable('sign_off_input_writers').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_off_input_writers')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('written_by', 'text', (c) => c.notNull())
    .addColumn('written_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_off_input_writers_pk', ['tenant_id', 'subject_id', 'metric', 'period'])
    .execute();
  await sql`INSERT INTO sign_off_input_writers (tenant_id, subject_id, metric, period, written_by, written_at)
    SELECT tenant_id, subject_id, metric, period, written_by, ${new Date().toISOString()} FROM metrics
    WHERE written_by IS NOT NULL`.execute(db);
  await db.schema.alterTable('metrics').dropColumn('written_by').execute();
}
