import { type Kysely, sql } from 'kysely';

/*
 * The writer of a risk input's stored value moves into the value's own row (`metrics.written_by`),
 * out of `sign_off_input_writers`. That table held one row per value, its last writer, never a history:
 * the same key as the metric row, so an import of risk inputs paid for a second b-tree (two on SQLite,
 * a rowid table and its key) and a second statement per batch to say what the row itself can hold — the
 * import's own upsert now writes it (BENCHMARKS.md, import bench, session 40).
 *
 * Every writer row is copied to its value's row, so the four-eyes check answers as before. A writer row
 * with no metric row beside it is not copied: the check asks only about months it reads from `metrics`,
 * and no writer has left such a row (a value is written before its writer, and an erasure deletes
 * both in one transaction).
 *
 * The table is kept, not dropped: migrations only add to the schema (docs/operations.md, "Upgrading"),
 * and during a rolling deploy the instances still on the release before write and read it — dropped,
 * their metric writes of risk inputs, imports, approvals and erasure runs failed until replaced. This
 * release no longer writes it, but reads it beside the column (an old instance may have recorded a newer
 * writer there during the rollout) and erases from it; a later migration drops it.
 *
 * On PostgreSQL, adding the column takes the table's exclusive lock, held (the migrations run in one
 * transaction) until the copy below is done: no read or write of `metrics` proceeds meanwhile, and the
 * lock is first waited for behind any transaction using the table, a running import's included.
 * docs/operations.md, "Upgrading", says so.
 *
 * Undoing this copies the column's writers back into the table (`written_at` is the undo's time: the
 * moment of each write is not kept, and nothing read it), the column's winning over a row already there
 * — after the rollout only this release wrote, so the column holds the later writer — and drops the column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('metrics').addColumn('written_by', 'text').execute();
  // One writer row per risk-input value any write or import changed since writers were kept: millions on
  // a big book, each updating its value's row found by the metrics key (on PostgreSQL a new row version each).
  await sql`UPDATE metrics SET written_by = w.written_by FROM sign_off_input_writers w
    WHERE metrics.subject_id = w.subject_id AND metrics.metric = w.metric AND metrics.period = w.period
      AND metrics.tenant_id = w.tenant_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`INSERT INTO sign_off_input_writers (tenant_id, subject_id, metric, period, written_by, written_at)
    SELECT tenant_id, subject_id, metric, period, written_by, ${new Date().toISOString()} FROM metrics
    WHERE written_by IS NOT NULL
    ON CONFLICT (tenant_id, subject_id, metric, period)
    DO UPDATE SET written_by = excluded.written_by, written_at = excluded.written_at`.execute(db);
  await db.schema.alterTable('metrics').dropColumn('written_by').execute();
}
