import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { drainJobs, enqueueRetier, provisionTenant } from '@tierkit/api';
import { ASSIGNMENT_COLUMNS, connect, migrateToLatest, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { loadBook } from '../support/book.js';
import { testPack } from '../support/test-pack.js';

/*
 * kill -9 a worker process in the middle of a re-tier of 100,000 customers (SQLite): the file passes
 * integrity_check, every chunk is applied whole or not at all, history agrees with the assignments,
 * and resuming ends with exactly what an uninterrupted run of the same job writes.
 */

const SUBJECTS = Number(process.env.CRASH_SUBJECTS ?? 100_000);
const NOW = new Date('2025-11-15T04:00:00.000Z');
const LATER = new Date('2025-11-15T05:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'tierkit-crash-'));
const open: Db[] = [];
after(async () => {
  for (const db of open) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function openDb(file: string): Db {
  const db = connect({ url: file });
  open.push(db);
  return db;
}

/** A digest of what the job wrote, leaving out only when it was written and the random event ids. */
async function written(db: Db): Promise<{ assignments: string; events: string; count: number }> {
  // Row by row: one JSON string of 100,000 customers' rows is ~300 MB, and building and hashing it
  // took a minute of the run. Each row's JSON is self-delimiting, so the digest says the same.
  const hash = (rows: unknown[]) => {
    const h = createHash('sha256');
    for (const row of rows) h.update(JSON.stringify(row));
    return h.digest('hex');
  };
  const a = await db.db
    .selectFrom('assignments')
    .select(ASSIGNMENT_COLUMNS.filter((c) => c !== 'tenant_id' && c !== 'evaluated_at'))
    .orderBy('subject_id')
    .orderBy('scheme')
    .execute();
  const e = await db.db
    .selectFrom('tier_events')
    .select(['subject_id', 'scheme', 'from_level', 'to_level', 'reason', 'rule_id', 'note', 'actor', 'policy_version', 'period'])
    .orderBy('subject_id')
    .orderBy('scheme')
    .orderBy('period')
    .execute();
  return { assignments: hash(a), events: hash(e), count: a.length };
}

it(`kill -9 during a re-tier of ${SUBJECTS.toLocaleString('en')} customers loses nothing and applies nothing twice`, {
  timeout: 600_000,
}, async () => {
  const file = join(dir, 'crash.db');
  const db = openDb(file);
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: 'crash', name: 'crash', pack: testPack(), now: NOW });
  await loadBook(db.db, 'crash', SUBJECTS, ['2025-08', '2025-09', '2025-10'], NOW.toISOString());
  const job = await enqueueRetier(db.db, { tenantId: 'crash', period: '2025-10', now: NOW, chunkSubjects: 1000 });
  assert.ok(job);
  const chunks = job.progress.chunks.total;
  // The same database with the same job queued, for the uninterrupted run.
  const copy = join(dir, 'uninterrupted.db');
  await sql`VACUUM INTO ${copy}`.execute(db.db);

  // A worker process, killed once it has committed some chunks and is in the middle of the next.
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/retier-worker.ts', file, NOW.toISOString(), '60000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let committed = 0;
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      committed += d
        .toString()
        .split('\n')
        .filter((l) => l.startsWith('chunk ')).length;
      if (committed >= Math.min(10, chunks - 1)) resolve();
    });
    child.once('exit', () => reject(new Error(`the worker exited after ${committed} chunks before it could be killed`)));
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  // The file is whole, and each chunk is all there or not there at all.
  assert.deepEqual((await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db.db)).rows, [{ integrity_check: 'ok' }]);
  const perChunk = await sql<{ seq: number; status: string; subjects: number; evaluated: number }>`
    SELECT c.seq, c.status, c.subjects,
      (SELECT count(DISTINCT a.subject_id) FROM assignments a WHERE a.subject_id BETWEEN c.first_subject AND c.last_subject) AS evaluated
    FROM job_chunks c WHERE c.job_id = ${job.id} ORDER BY c.seq`.execute(db.db);
  const done = perChunk.rows.filter((c) => c.status === 'done');
  assert.ok(done.length >= 10 && done.length < chunks, `killed mid-job (${done.length} of ${chunks} chunks done)`);
  for (const c of perChunk.rows) {
    const subjects = Number(c.subjects);
    const evaluated = Number(c.evaluated);
    // A subject with no data at all in the window is skipped; every other one was evaluated.
    if (c.status === 'done') assert.ok(evaluated > subjects * 0.9, `chunk ${c.seq} is applied whole (${evaluated}/${subjects})`);
    else assert.equal(evaluated, 0, `chunk ${c.seq} is not applied at all`);
  }
  // History agrees with the assignments: the latest event of each subject and scheme is its level.
  const disagree = await sql<{ n: number }>`
    SELECT count(*) AS n FROM assignments a
    WHERE a.level <> (SELECT e.to_level FROM tier_events e WHERE e.subject_id = a.subject_id AND e.scheme = a.scheme ORDER BY e.period DESC, e.id DESC LIMIT 1)
       OR NOT EXISTS (SELECT 1 FROM tier_events e WHERE e.subject_id = a.subject_id AND e.scheme = a.scheme)`.execute(db.db);
  assert.equal(Number(disagree.rows[0]?.n), 0);

  // Resume: after the dead worker's lease, another worker finishes the job.
  await drainJobs({ db: db.db, now: () => LATER });
  const uninterrupted = openDb(copy);
  await drainJobs({ db: uninterrupted.db, now: () => LATER });
  const status = await db.db.selectFrom('jobs').select('status').where('id', '=', job.id).executeTakeFirstOrThrow();
  assert.equal(status.status, 'completed');
  const [resumed, expected] = [await written(db), await written(uninterrupted)];
  assert.ok(expected.count > SUBJECTS * 2, `the job wrote every scheme of nearly every customer (${expected.count} rows)`);
  assert.deepEqual(resumed, expected);
});
