import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * A relationship manager's 潜力客户 list (`GET /v1/subjects?nearNext=`, packages/api/README.md, "Staff and
 * books"): who is within an amount of the next level, nearest first, and the grace list by months
 * left. Both figures lived only in the JSON progress and retention, which nothing can filter or sort
 * on, so each assignment row now carries them as integers, written by the one writer of assignment
 * rows in the statement that writes the row (packages/db/src/repositories/assignments.ts):
 *
 * - `next_gap`: the smallest money gap (minor units) of the ways to the next level; null at the top
 *   level, when no way is money, or when its money ways are in more than one currency.
 * - `grace_left`: periods left before the level drops, in a grace period only (periods below > 0).
 *
 * The rows already stored get them from their JSON here. `next_gap` has no index of its own: it
 * changes for most rows at every monthly re-tier, and keeping an index of it up to date cost the
 * re-tier's writer about +45 % CPU at 200,000 subjects (BENCHMARKS.md, "Re-tier with the 潜力客户
 * figures"), past its ≤ 2× budget. A book's 潜力客户 list reads the book's customers through the book
 * index and their assignment rows by primary key, then sorts (a book is at most a few thousand); a
 * tenant-wide one scans the scheme's assignment rows (its cost is measured there too). The grace rows
 * are few (periods below > 0), so their partial indexes stay: by months left within a scheme, and the
 * grace index of 2026-12-15T00-00-80 rebuilt carrying `grace_left` for a book's grace list.
 */

// Its own copy, not the repositories' isPostgres: a migration runs as written whatever they become.
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  const columns = (await db.introspection.getTables()).find((t) => t.name === 'assignments')?.columns ?? [];
  if (!columns.some((c) => c.name === 'next_gap')) await db.schema.alterTable('assignments').addColumn('next_gap', 'bigint').execute();
  if (!columns.some((c) => c.name === 'grace_left')) await db.schema.alterTable('assignments').addColumn('grace_left', 'integer').execute();
  // The same figures as nextGapOf and graceLeftOf (assignments.ts) compute when a row is written.
  if (isPostgres(db)) {
    await sql`UPDATE assignments SET next_gap = (
        SELECT CASE WHEN count(DISTINCT p ->> 'currency') = 1 AND count(*) = count(p ->> 'currency') THEN min((p ->> 'gap')::bigint) END
        FROM json_array_elements(progress::json -> 'paths') AS p WHERE p ->> 'unit' = 'money')
      WHERE progress IS NOT NULL`.execute(db);
    await sql`UPDATE assignments
      SET grace_left = (retention::json ->> 'periodsAllowed')::integer - (retention::json ->> 'periodsBelow')::integer
      WHERE periods_below > 0 AND retention IS NOT NULL`.execute(db);
  } else {
    await sql`UPDATE assignments SET next_gap = (
        SELECT CASE WHEN count(DISTINCT json_extract(p.value, '$.currency')) = 1 AND count(*) = count(json_extract(p.value, '$.currency'))
          THEN min(json_extract(p.value, '$.gap')) END
        FROM json_each(assignments.progress, '$.paths') AS p WHERE json_extract(p.value, '$.unit') = 'money')
      WHERE progress IS NOT NULL`.execute(db);
    await sql`UPDATE assignments
      SET grace_left = json_extract(retention, '$.periodsAllowed') - json_extract(retention, '$.periodsBelow')
      WHERE periods_below > 0 AND retention IS NOT NULL`.execute(db);
  }
  // Conditions written as the list's queries write them (subject-list.ts), so SQLite's planner sees
  // that the partial indexes serve them.
  // By periods left, those with none stored (the level held by an override) last, as the list sorts
  // them (GRACE_LEFT_UNKNOWN in subject-list.ts; the literal is this migration's own, written as the
  // list writes it so that both dialects' planners match the expression). periods_below too: the
  // condition the list tests besides the order, read from the index.
  await sql`CREATE INDEX IF NOT EXISTS assignments_grace_left_idx ON assignments
    (tenant_id, scheme, (coalesce(grace_left, 2147483647)), subject_id, periods_below) WHERE periods_below > 0`.execute(db);
  await db.schema.dropIndex('assignments_grace_idx').ifExists().execute();
  await db.schema
    .createIndex('assignments_grace_idx')
    .on('assignments')
    .columns(['tenant_id', 'scheme', 'subject_id', 'periods_below', 'grace_left'])
    .where(sql<boolean>`periods_below > 0`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['assignments_grace_left_idx', 'assignments_grace_idx']) await db.schema.dropIndex(name).ifExists().execute();
  // The grace index as 2026-12-15T00-00-80 made it, before the columns it no longer carries go.
  await db.schema
    .createIndex('assignments_grace_idx')
    .on('assignments')
    .columns(['tenant_id', 'scheme', 'subject_id', 'periods_below'])
    .where(sql<boolean>`periods_below > 0`)
    .execute();
  await db.schema.alterTable('assignments').dropColumn('grace_left').execute();
  await db.schema.alterTable('assignments').dropColumn('next_gap').execute();
}
