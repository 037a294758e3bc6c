import type { Kysely } from 'kysely';
import { TIER_EVENTS_SCHEME_PERIOD_INDEX } from './2026-12-03T00-00-60-tier-events-scheme-period.js';

/*
 * Analytics now read each event's `reason` (a move's cause: policy or override), which the index of
 * 2026-12-03T00-00-60 did not hold, so every analytics read went from the index to the table row by
 * row. The same index again with `reason` at the end covers them again. Upgrading rebuilds it: on a
 * large history this takes a while and, on SQLite, holds the write lock meanwhile.
 */
const COLUMNS = ['tenant_id', 'scheme', 'subject_id', 'period', 'at', 'id', 'to_level'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(TIER_EVENTS_SCHEME_PERIOD_INDEX).execute();
  await db.schema
    .createIndex(TIER_EVENTS_SCHEME_PERIOD_INDEX)
    .on('tier_events')
    .columns([...COLUMNS, 'reason'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(TIER_EVENTS_SCHEME_PERIOD_INDEX).execute();
  await db.schema.createIndex(TIER_EVENTS_SCHEME_PERIOD_INDEX).on('tier_events').columns(COLUMNS).execute();
}
