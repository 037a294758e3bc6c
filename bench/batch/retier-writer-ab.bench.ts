// Two checkouts' re-tier jobs in one process, alternating round by round (issue 12: the writer's CPU).
// One generated book (retier.bench.ts's card tier, 3 months of balances) and, made from it by side a,
// the same book after its first re-tier with a fourth month of balances. Each round runs, on fresh
// copies, every side's first re-tier and then every side's monthly one, the sides' order swapped each
// round, so that a neighbour's load falls on both alike. Per job and side: the CPU per subject of the
// writer (the main thread), of the prepare thread and of V8's and libuv's helpers, the writer's waits
// between chunks, and what it stored (checked equal across sides). Wall times are the load's as much as
// the job's. Asserts nothing.
// Each side's packages must be its own: tsx would resolve `@tierkit/*` of both through this checkout's
// tsconfig paths, so run it with a tsconfig without paths and the packages' source export condition:
//   TSX_TSCONFIG_PATH=/path/to/tsconfig-without-paths.json node --conditions tierkit-source --import tsx \
//     bench/batch/retier-writer-ab.bench.ts --a /path/to/main-copy --b . [--subjects 200000] [--rounds 2]
// (a copy of another commit: `git archive`, with a node_modules whose `@tierkit/*` links point into it).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { rng } from '../../tests/support/book.js';
import { writeRetierBook } from './retier-book.js';
import { watchThreads } from './proc-cpu.js';

const opt = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};
// Two checkouts are needed: `npm run bench` (no arguments) gets this line instead of a failure.
if (!process.argv.includes('--a') || !process.argv.includes('--b')) {
  console.log('retier-writer-ab: compares two checkouts; run it with --a and --b (see the head of the file)');
  process.exit(0);
}
const N = Number(opt('subjects', '200000'));
const ROUNDS = Number(opt('rounds', '2'));
const MONTHS = ['2025-08', '2025-09', '2025-10'];
const NOW = new Date('2025-11-15T04:00:00.000Z');
const NEXT_MONTH = '2025-11';
const NEXT_NOW = new Date('2025-12-15T04:00:00.000Z');
const TENANT = 'bench';

type Api = typeof import('@tierkit/api');
type DbModule = typeof import('@tierkit/db');
type Core = typeof import('@tierkit/core');
interface Side {
  readonly name: string;
  readonly api: Api;
  readonly db: DbModule;
  readonly core: Core;
}
const sides: Side[] = [];
for (const name of ['a', 'b']) {
  const root = resolve(opt(name));
  const load = (path: string) => import(pathToFileURL(join(root, path)).href);
  sides.push({
    name: `${name} (${root})`,
    api: (await load('packages/api/src/index.ts')) as Api,
    db: (await load('packages/db/src/index.ts')) as DbModule,
    core: (await load('packages/core/src/index.ts')) as Core,
  });
}
const [sideA] = sides as [Side, Side];

interface Figures {
  writer: number;
  thread: number;
  helpers: number;
  waits: number;
  wall: number;
  /** What the job left in its file ({@link storedOf}). */
  stored: string;
}

/** Run one re-tier job of `side` on `file` at `period`; CPU seconds by thread. */
async function job(side: Side, file: string, period: string, now: Date): Promise<Figures> {
  const conn = side.db.connect({ url: file });
  try {
    const threads = watchThreads();
    const t = performance.now();
    await side.api.enqueueRetier(conn.db, { tenantId: TENANT, period, now });
    let waits = 0;
    let mark = performance.now();
    await side.api.drainJobs({
      db: conn.db,
      now: () => now,
      onChunk: () => void (mark = performance.now()),
      // The thread from the first chunk on both sides alike, whatever the job's size.
      pipeline: { awaitThread: true, minChunks: 1, beforeApply: () => void (waits += performance.now() - mark) },
    });
    const wall = performance.now() - t;
    const cpu = threads();
    return { writer: cpu.main, thread: cpu.started[0] ?? 0, helpers: cpu.others, waits: waits / 1000, wall: wall / 1000, stored: '' };
  } finally {
    await conn.db.destroy();
  }
}

/** What a job left in the file: compared across sides, which must store the same. */
function storedOf(file: string): string {
  const raw = new SQLite(file, { readonly: true });
  try {
    const a = raw
      .prepare('SELECT count(*) AS n, sum(rank) AS ranks, sum(length(explanation)) AS bytes, sum(periods_below) AS below FROM assignments')
      .get();
    const e = raw.prepare('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM tier_events').get();
    const v = raw.prepare('SELECT sum(version) AS versions FROM subjects').get();
    return JSON.stringify([a, e, v]);
  } finally {
    raw.close();
  }
}

const copyOf = (from: string, to: string) => {
  for (const ext of ['', '-wal', '-shm']) rmSync(to + ext, { force: true });
  copyFileSync(from, to);
};

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-retier-writer-ab-'));
try {
  const book = join(dir, 'book.db');
  {
    const db = sideA.db.connect({ url: book });
    await sideA.db.migrateToLatest(db.db);
    const pack = {
      metrics: sideA.core.defaultPolicyPack.metrics,
      schemes: sideA.core.defaultPolicyPack.schemes.filter((s) => s.key === 'retail-tier'),
    };
    await sideA.api.provisionTenant(db.db, { id: TENANT, name: TENANT, pack, now: NOW });
    await db.db.destroy();
  }
  const raw = new SQLite(book);
  raw.pragma('journal_mode = WAL');
  // The same book as retier.bench.ts generates (same seed and shape).
  writeRetierBook(raw, TENANT, N, MONTHS, NOW);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  // The monthly job's book: side a's first re-tier, then a month more of balances (retier.bench.ts's).
  const monthlyBook = join(dir, 'monthly.db');
  copyOf(book, monthlyBook);
  await job(sideA, monthlyBook, '2025-10', NOW);
  {
    const m = new SQLite(monthlyBook);
    const add = m.prepare(
      `INSERT INTO metrics (tenant_id, subject_id, metric, period, value) VALUES ('${TENANT}', ?, 'avg_daily_balance', ?, ?)`,
    );
    const r2 = rng(7);
    m.transaction(() => {
      const last = m.prepare('SELECT subject_id, value FROM metrics WHERE tenant_id = ? AND period = ? ORDER BY subject_id').raw(true);
      for (const [id, v] of last.all(TENANT, MONTHS[MONTHS.length - 1]) as [string, number][])
        if (r2() > 0.05) add.run(id, NEXT_MONTH, Math.floor(v * (0.94 + r2() * 0.12)));
    })();
    m.pragma('wal_checkpoint(TRUNCATE)');
    m.close();
  }

  const us = (s: number) => ((s * 1e6) / N).toFixed(1).padStart(6);
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`${N.toLocaleString('en')} customers, ${ROUNDS} rounds, sides alternating; load ${load()}`);
  const results = new Map<string, Figures[]>();
  const stores = new Map<string, Set<string>>();
  const jobs = [
    ['first re-tier', book, '2025-10', NOW],
    ['monthly re-tier', monthlyBook, NEXT_MONTH, NEXT_NOW],
  ] as const;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const [label, source, period, now] of jobs)
      for (const side of order) {
        const file = join(dir, 'job.db');
        copyOf(source, file);
        const f = await job(side, file, period, now);
        f.stored = storedOf(file);
        const key = `${label}\u0000${side.name}`;
        results.set(key, [...(results.get(key) ?? []), f]);
        stores.set(label, (stores.get(label) ?? new Set()).add(f.stored));
        console.log(
          `round ${round + 1} ${label.padEnd(16)} ${side.name.slice(0, 1)}: writer ${us(f.writer)} µs  thread ${us(f.thread)} µs  helpers ${us(f.helpers)} µs  writer waits ${f.waits.toFixed(1)} s  wall ${f.wall.toFixed(1)} s  load ${load()}`,
        );
      }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  console.log('\nmedian CPU per subject (writer / prepare thread / helpers), µs:');
  for (const [label] of jobs) {
    for (const side of sides) {
      const fs = results.get(`${label}\u0000${side.name}`) ?? [];
      console.log(
        `  ${label.padEnd(16)} ${side.name}: ${us(median(fs.map((f) => f.writer)))} / ${us(median(fs.map((f) => f.thread)))} / ${us(median(fs.map((f) => f.helpers)))}`,
      );
    }
    const same = (stores.get(label)?.size ?? 0) === 1;
    console.log(`  ${label}: both sides stored ${same ? 'the same' : 'DIFFERENT results'}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
