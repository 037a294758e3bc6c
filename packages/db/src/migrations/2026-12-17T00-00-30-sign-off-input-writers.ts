import type { Kysely } from 'kysely';

/*
 * Who wrote the stored value of a metric feeding a scheme with sign-off levels, through the API's
 * metric write: the four-eyes check of a lowering request (docs/domain.md §4, "Lowering a sign-off
 * level") refuses its approval to whoever wrote a figure behind it, even when another person's write
 * or job opened the request. One row per value — its last writer — not a history: the audit trail keeps
 * the values replaced. Imports are not recorded here (their record names the importer and the months).
 * Undoing this drops the table: a release before this one checks only the request's maker and importers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_off_input_writers')
    .ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('written_by', 'text', (c) => c.notNull())
    .addColumn('written_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_off_input_writers_pk', ['tenant_id', 'subject_id', 'metric', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_off_input_writers').ifExists().execute();
}
