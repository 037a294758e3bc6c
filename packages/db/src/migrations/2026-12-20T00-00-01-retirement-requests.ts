import type { Kysely } from 'kysely';

/*
 * A retirement waits for a second person.
 *
 * Retiring a version changes what customers get as much as approving one does, and one approver alone
 * could do it. A retirement is now asked for (`retire_requested_by`, `…_at`, `retire_request_note`: who,
 * when, why) and decided by another person; on approval the existing `retired_by` / `retired_at` /
 * `retire_note` say who approved it, when, and the requester's reason. At most one request per version
 * waits, as the columns are the version's own. Null on every version from before: nothing waits.
 *
 * Undoing drops the three columns: a release before them retires at once and knows no pending request.
 */
const COLUMNS = ['retire_requested_by', 'retire_requested_at', 'retire_request_note'] as const;

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
