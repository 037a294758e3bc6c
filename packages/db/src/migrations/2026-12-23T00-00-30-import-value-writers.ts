import type { Kysely } from 'kysely';

/*
 * A metrics import now records its importer per value it changed of a metric feeding a scheme with
 * sign-off levels (`sign_off_input_writers`, as the API's metric write does), and says so on its row:
 * `value_writers` 1. An import recorded before (null) left no such rows, so for the months it changed
 * the four-eyes check of a sign-off still bars its importer tenant-wide, as before: nothing tells which
 * customers' values it loaded (docs/domain.md §4, "Lowering a sign-off level").
 * Undoing this drops the column: a release before this one bars every importer of a month tenant-wide.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').addColumn('value_writers', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('value_writers').execute();
}
