import type { Kysely } from 'kysely';

/*
 * When a staff member was disabled (`tierkit staff disable`: someone leaving), null while they work.
 * A disabled member's staff tokens and keys authenticate nothing and none can be issued to them, so
 * a leaver stops at once rather than when the bank's sign-on stops minting their tokens; the row
 * stays, because the audit trail, requests and book moves name them. `PUT /v1/staff/{id}` (or
 * `tierkit staff role`) gives them a role back and clears it.
 *
 * Undoing this keeps the column, as the closings' migrations do: a release before this one never
 * reads it, and dropping it would forget who was disabled when this release is run again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const staff = (await db.introspection.getTables()).find((t) => t.name === 'staff');
  if (!staff?.columns.some((c) => c.name === 'disabled_at')) await db.schema.alterTable('staff').addColumn('disabled_at', 'text').execute();
}

export async function down(): Promise<void> {}
