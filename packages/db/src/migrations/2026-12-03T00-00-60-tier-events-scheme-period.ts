import type { Kysely } from 'kysely';

/*
 * Analytics read one scheme's whole history at a time, each subject's events in month order
 * (packages/db/src/repositories/level-history.ts). The only index so far starts at the subject, so
 * those reads scanned every scheme's events; this one serves them in index order and covers them.
 */
export const TIER_EVENTS_SCHEME_PERIOD_INDEX = 'tier_events_tenant_scheme_subject_period_idx';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex(TIER_EVENTS_SCHEME_PERIOD_INDEX)
    .on('tier_events')
    .columns(['tenant_id', 'scheme', 'subject_id', 'period', 'at', 'id', 'to_level'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(TIER_EVENTS_SCHEME_PERIOD_INDEX).execute();
}
