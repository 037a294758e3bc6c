import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * The call lists (`GET /v1/subjects?change=`) list who moved at a scheme's latest re-tier. They took
 * that month for the latest period of any of the scheme's assignments, and a decision on one customer
 * (an override approved, revoked or expired) re-evaluates them at their newest month with data — often
 * next month's figures, imported and not yet re-tiered — so one approval moved the whole bank's list to
 * a month only that customer had reached, and the RM's 降级 list went empty. The month is now kept per
 * tenant and scheme by the re-tier jobs with no filter (month-end jobs), one row per scheme: a decision,
 * a metric write, a filtered job or a policy's re-evaluation never moves it.
 *
 * The rows of a database already in use are filled here, so the lists are right at once: the latest
 * month a completed re-tier job of the whole book evaluated the scheme at, at most the latest month
 * stored — a month only a decision, a metric write or a job for a few customers reached is no re-tier
 * of the book —; a job stored without `schemes` counts as one of every scheme. The whole book is what
 * the job completing marks (jobs/complete-job.ts): no filter, or a filter of a subject kind alone,
 * which `enqueueRetier` adds to a job naming schemes of one kind — every subject of that kind, so the
 * whole of its schemes of that kind. A scheme's kind is not stored in SQL's reach (it is in the policy
 * document): it is taken for the kind of the subjects its assignments are of; with none to tell by, a
 * kind-only job counts for the schemes it names, which are of its kind when `enqueueRetier` chose it. A job
 * still running or stopped is left out: its month is not the book's yet, and the next month-end job
 * marks it. A scheme no such job re-tiered (a bank evaluated by its metric writes alone) keeps its
 * latest stored month, as before. Undoing this drops the table: a release before it reads the month
 * off the assignments again.
 */

// Its own copy, not the repositories' isPostgres: a migration runs as written whatever they become.
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('retier_periods')
    .ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('retier_periods_pkey', ['tenant_id', 'scheme'])
    .execute();
  const now = new Date().toISOString();
  // A job's params: `period` (YYYY-MM), `schemes` (null: every scheme; else the keys it wrote) and `filter`.
  const jobPeriod = isPostgres(db)
    ? sql`(SELECT max(j.params::jsonb ->> 'period') FROM jobs j
          WHERE j.tenant_id = l.tenant_id AND j.kind = 'retier' AND j.status = 'completed'
            AND (coalesce(j.params::jsonb -> 'schemes', 'null'::jsonb) = 'null'::jsonb
              OR j.params::jsonb -> 'schemes' @> jsonb_build_array(l.scheme))
            AND (coalesce(nullif(j.params::jsonb -> 'filter', 'null'::jsonb), '{}'::jsonb) = '{}'::jsonb
              OR (jsonb_typeof(j.params::jsonb -> 'filter') = 'object'
                AND (j.params::jsonb -> 'filter') - 'kind' = '{}'::jsonb
                AND (j.params::jsonb -> 'filter' ->> 'kind' = l.kind
                  OR (l.kind IS NULL AND j.params::jsonb -> 'schemes' @> jsonb_build_array(l.scheme)))))
            AND j.params::jsonb ->> 'period' <= l.period)`
    : sql`(SELECT max(json_extract(j.params, '$.period')) FROM jobs j
          WHERE j.tenant_id = l.tenant_id AND j.kind = 'retier' AND j.status = 'completed'
            AND (coalesce(json_type(j.params, '$.schemes'), 'null') = 'null'
              OR EXISTS (SELECT 1 FROM json_each(j.params, '$.schemes') s WHERE s.value = l.scheme))
            AND (coalesce(json_extract(j.params, '$.filter'), '{}') = '{}'
              OR (json_type(j.params, '$.filter') = 'object'
                AND NOT EXISTS (SELECT 1 FROM json_each(j.params, '$.filter') k WHERE k.key <> 'kind')
                AND (json_extract(j.params, '$.filter.kind') = l.kind
                  OR (l.kind IS NULL AND EXISTS (SELECT 1 FROM json_each(j.params, '$.schemes') s WHERE s.value = l.scheme)))))
            AND json_extract(j.params, '$.period') <= l.period)`;
  await sql`
    INSERT INTO retier_periods (tenant_id, scheme, period, updated_at)
    SELECT l.tenant_id, l.scheme, coalesce(${jobPeriod}, l.period), ${now}
    -- kind: the kind of the subjects the scheme's assignments are of (one per scheme); null with none found.
    FROM (SELECT a.tenant_id, a.scheme, max(a.period) AS period, min(s.kind) AS kind
          FROM assignments a LEFT JOIN subjects s ON s.tenant_id = a.tenant_id AND s.id = a.subject_id
          GROUP BY a.tenant_id, a.scheme) l
    -- WHERE true: SQLite would read ON CONFLICT as the join's ON otherwise.
    WHERE true
    ON CONFLICT (tenant_id, scheme) DO NOTHING`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('retier_periods').ifExists().execute();
}
