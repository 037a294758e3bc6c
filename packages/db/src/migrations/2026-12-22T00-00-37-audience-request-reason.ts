import type { Kysely } from 'kysely';

/*
 * A request to lower a metric's audience carries its maker's reason, as an override request does: the
 * checker decides on it, and the trail keeps it. Requests filed before have none (null), shown as such.
 * Undoing this drops the column: a release before this one files a request without a reason.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('metric_audience_requests').addColumn('reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('metric_audience_requests').dropColumn('reason').execute();
}
