import type { Kysely } from 'kysely';

/*
 * A policy version says why it was made and why it was submitted.
 *
 * An examiner found drafts and submissions with no rationale: the checker approved a change of rules
 * without the maker's word on it, and the trail kept none. `draft_note` (given when the draft is made)
 * and `submit_note` (given when it is submitted) are the maker's own words, shown to the checker in the
 * approvals queue and kept with the version. Null on every version from before, and when none was given.
 *
 * Undoing drops the two columns: a release before them takes no note on a draft or a submission.
 */
const COLUMNS = ['draft_note', 'submit_note'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const policies = (await db.introspection.getTables()).find((t) => t.name === 'policies');
  for (const c of COLUMNS) {
    if (!policies?.columns.some((k) => k.name === c)) await db.schema.alterTable('policies').addColumn(c, 'text').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const policies = (await db.introspection.getTables()).find((t) => t.name === 'policies');
  for (const c of COLUMNS) {
    if (policies?.columns.some((k) => k.name === c)) await db.schema.alterTable('policies').dropColumn(c).execute();
  }
}
