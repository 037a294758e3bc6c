// The writer's share of each pipelined chunk (issue 12): the first re-tier of one generated book
// (retier.bench.ts's card tier, 3 months of balances), run again and again in one process on copies of
// it, each run with another split of each chunk between the prepare thread and the writer, in rotated
// order round by round so that a neighbour's load falls on every split alike. Per split: the CPU of the
// writer (main thread) and of the prepare thread, per subject, and the writer's waits between chunks.
// Wall time is printed but is the load's as much as the job's. Asserts nothing.
// Run: node --import tsx bench/batch/retier-share.bench.ts [--subjects 200000] [--rounds 3] [--shares 1,0.9,0.8,0.7]
//   (`--shares`: the thread's fraction, PipelineOptions.share; `default` for the worker's own)
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { defaultPolicyPack } from '@tierkit/core';
import { drainJobs, enqueueRetier, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest } from '@tierkit/db';
import { writeRetierBook } from './retier-book.js';
import { watchThreads } from './proc-cpu.js';

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const N = Number(opt('subjects', '200000'));
const ROUNDS = Number(opt('rounds', '3'));
const SHARES = opt('shares', '1,0.9,0.8,0.7')
  .split(',')
  .map((s) => (s === 'default' ? undefined : Number(s)));
const MONTHS = ['2025-08', '2025-09', '2025-10'];
const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bench';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-retier-share-'));
try {
  const book = join(dir, 'book.db');
  const db = connect({ url: book });
  await migrateToLatest(db.db);
  const pack = { metrics: defaultPolicyPack.metrics, schemes: defaultPolicyPack.schemes.filter((s) => s.key === 'retail-tier') };
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack, now: NOW });
  await db.db.destroy();
  const raw = new SQLite(book);
  raw.pragma('journal_mode = WAL');
  // The same book as retier.bench.ts generates (same seed and shape).
  writeRetierBook(raw, TENANT, N, MONTHS, NOW);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();

  type Figures = { writer: number; thread: number; waits: number; wall: number };
  const results = new Map<string, Figures[]>();
  const name = (s: number | undefined) => (s === undefined ? 'default' : `thread ${s}, writer ${(1 - s).toFixed(2)}`);
  const runOnce = async (share: number | undefined): Promise<Figures> => {
    const file = join(dir, 'job.db');
    for (const ext of ['', '-wal', '-shm']) rmSync(file + ext, { force: true });
    copyFileSync(book, file);
    const conn = connect({ url: file });
    try {
      const threads = watchThreads();
      const t = performance.now();
      await enqueueRetier(conn.db, { tenantId: TENANT, period: '2025-10', now: NOW });
      let waits = 0;
      let mark = performance.now();
      await drainJobs({
        db: conn.db,
        now: () => NOW,
        onChunk: () => void (mark = performance.now()),
        pipeline: {
          awaitThread: true,
          minChunks: 1,
          ...(share === undefined ? {} : { share }),
          beforeApply: () => {
            waits += performance.now() - mark;
          },
        },
      });
      const wall = performance.now() - t;
      const cpu = threads();
      // The prepare thread is the busiest of the threads the job started (the other: checkpoints).
      return { writer: cpu.main, thread: cpu.started[0] ?? 0, waits: waits / 1000, wall: wall / 1000 };
    } finally {
      await conn.db.destroy();
    }
  };
  const perSubject = (s: number) => ((s * 1e6) / N).toFixed(1).padStart(6);
  console.log(
    `${N.toLocaleString('en')} customers, first re-tier, ${ROUNDS} rounds; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    const order = SHARES.map((_, i) => SHARES[(i + round) % SHARES.length]);
    for (const share of order) {
      const f = await runOnce(share);
      const key = name(share);
      results.set(key, [...(results.get(key) ?? []), f]);
      console.log(
        `round ${round + 1} ${key.padEnd(24)} writer ${perSubject(f.writer)} µs  thread ${perSubject(f.thread)} µs  writer waits ${f.waits.toFixed(2)} s  wall ${f.wall.toFixed(1)} s  load ${loadavg()[0]?.toFixed(1)}`,
      );
    }
  }
  console.log('\nmedian per split (CPU per subject; the busier side sets the wall time on two free cores):');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const [key, fs] of results) {
    const w = median(fs.map((f) => f.writer));
    const th = median(fs.map((f) => f.thread));
    console.log(
      `  ${key.padEnd(24)} writer ${perSubject(w)} µs  thread ${perSubject(th)} µs  busier ${perSubject(Math.max(w, th))} µs  sum ${perSubject(w + th)} µs  waits ${median(fs.map((f) => f.waits)).toFixed(2)} s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
