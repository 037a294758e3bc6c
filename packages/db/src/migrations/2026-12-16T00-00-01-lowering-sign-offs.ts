import type { Kysely } from 'kysely';

/*
 * A level sign-off may be a lowering request (docs/domain.md §4, "Lowering a sign-off level"): data
 * computed a looser level than a held one whose scheme sets `loweringNeeds`, so the held level (`level`)
 * stays in force and a second person decides whether `proposed_level` takes effect. `proposal` keeps
 * why data proposed it (the rule, the figures, the month) as JSON: the held level's explanation is what
 * the assignment stores, and an approver must see the figures behind the lower grade. Existing rows are
 * sign-offs of a level entered: both null.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('level_approvals').addColumn('proposed_level', 'text').execute();
  await db.schema.alterTable('level_approvals').addColumn('proposal', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('level_approvals').dropColumn('proposal').execute();
  await db.schema.alterTable('level_approvals').dropColumn('proposed_level').execute();
}
