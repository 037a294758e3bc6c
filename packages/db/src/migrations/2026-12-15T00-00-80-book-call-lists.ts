import { sql, type Kysely } from 'kysely';

/*
 * A relationship manager's call lists (`GET /v1/subjects?change=` and `?grace=`, packages/api/README.md,
 * "Staff and books"): who moved at a scheme's latest re-tier, and who is in a grace period. Each is read
 * from an index of its own instead of walking the scheme's assignments: the latest period a scheme was
 * evaluated for is one seek (on the index of 2026-12-15T00-00-01, which a policy simulation reads too), the customers whose level changed in a period and the customers below
 * their level's line are a few per cent of a million, kept in partial indexes that hold only them
 * (both dialects accept the same conditions, written as the queries write them so each planner
 * matches them). They hold every column the lists test, so a list reads no assignment row (whose
 * JSON explanation makes it large) to decide who is on it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('assignments_changed_idx')
    .ifNotExists()
    .on('assignments')
    .columns(['tenant_id', 'scheme', 'period', 'subject_id', 'level', 'previous_level', 'rank'])
    .where(sql<boolean>`previous_level <> level`)
    .execute();
  await db.schema
    .createIndex('assignments_grace_idx')
    .ifNotExists()
    .on('assignments')
    .columns(['tenant_id', 'scheme', 'subject_id', 'periods_below'])
    .where(sql<boolean>`periods_below > 0`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['assignments_grace_idx', 'assignments_changed_idx']) await db.schema.dropIndex(name).ifExists().execute();
}
