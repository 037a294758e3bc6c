import type { Kysely } from 'kysely';
import { createRowTriggers, dropRowTriggers } from './2026-12-02T00-00-02-subject-version.js';

/*
 * `subjects.version` is bumped by the repository functions that write assignments, overrides and
 * tier events (bumpSubjectVersions), once per subject and statement batch, instead of by a trigger
 * per row: a re-tier job ran two `UPDATE subjects` per subject (one for its assignment, one for its
 * tier event), a large share of the SQL it spent writing. Plain SQL that writes those tables must
 * now bump the version itself; the subject's own columns (kind, name, attributes) keep their trigger.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await dropRowTriggers(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await createRowTriggers(db);
}
