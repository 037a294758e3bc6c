import { sql, type Kysely } from 'kysely';

/*
 * Re-evaluations wrote the month an event describes into its note as English ("evaluated 2026-11",
 * "decided in 2026-12"), which the timeline printed as it was in zh-CN and zh-TW. The month is the
 * event's `period` (2026-12-02T00-00-01-event-period), which readers word in their own language, so
 * these notes go. A row whose period disagrees with its note takes the note's month first: the note
 * was written with the event, and said the month it belongs to. Notes a person wrote are kept.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`UPDATE tier_events SET period = substr(note, 11, 7) WHERE note LIKE 'evaluated ____-__' AND (period IS NULL OR period <> substr(note, 11, 7))`.execute(
    db,
  );
  await sql`UPDATE tier_events SET period = substr(note, 12, 7) WHERE note LIKE 'decided in ____-__' AND (period IS NULL OR period <> substr(note, 12, 7))`.execute(
    db,
  );
  await sql`UPDATE tier_events SET note = NULL WHERE note LIKE 'evaluated ____-__' OR note LIKE 'decided in ____-__'`.execute(db);
}

/**
 * Nothing to restore: the notes only repeated the month `period` keeps, and which of the two sentences
 * a row had cannot be told from it. Going down leaves them empty, as new events are.
 */
export async function down(_db: Kysely<any>): Promise<void> {}
