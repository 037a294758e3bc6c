import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { drainJobs, enqueueRetier, provisionTenant, type PipelineOptions } from '@tierkit/api';
import { connect, migrateToLatest, upsertMetricRows, type Db } from '@tierkit/db';
import { ChangeWatch } from '../../packages/api/src/services/jobs/change-watch.js';
import { loadBook } from '../support/book.js';
import { approvalTestPack } from '../support/test-pack.js';

/*
 * The SQLite pipeline of a re-tier job (a thread prepares chunk N+1 while chunk N is written): it
 * writes exactly what chunks run one at a time write, also when data changes between a chunk's
 * preparation and its write, and when a chunk needs sign-offs; a stop gives back the chunk claimed
 * ahead. Small books: the pipeline is told to start its thread at once and wait for it. With two
 * subjects a chunk the thread prepares the first (PREPARED_SHARE) and the writer re-tiers the second.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bank-p';
const SUBJECTS = 24;
const dir = mkdtempSync(join(tmpdir(), 'tierkit-pipeline-'));
const open: Db[] = [];
let files = 0;
after(async () => {
  for (const db of open) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function book(): Promise<Db> {
  const db = connect({ url: join(dir, `book-${++files}.db`) });
  open.push(db);
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: approvalTestPack(), now: NOW });
  await loadBook(db.db, TENANT, SUBJECTS, ['2025-08', '2025-09', '2025-10'], NOW.toISOString());
  // A high AML score in chunk 8 (two subjects a chunk; the first, which the thread prepares): it opens a sign-off.
  await upsertMetricRows(db.db, [
    { tenant_id: TENANT, subject_id: `${TENANT}-0000016`, metric: 'aml_customer_risk', period: '2025-10', value: 95 },
  ]);
  return db;
}

/** A warehouse load between a chunk's preparation and its write (of the subject the thread prepares): no subject version moves. */
const richer = (db: Db) =>
  upsertMetricRows(db.db, [
    { tenant_id: TENANT, subject_id: `${TENANT}-0000006`, metric: 'avg_daily_balance', period: '2025-10', value: 9_000_000_00 },
  ]);

/** Everything the job wrote but the event ids and the job id in `actor` (both random). */
async function written(db: Db) {
  const assignments = await db.db.selectFrom('assignments').selectAll().orderBy('subject_id').orderBy('scheme').execute();
  const events = await db.db
    .selectFrom('tier_events')
    .select([
      'subject_id',
      'scheme',
      'from_level',
      'to_level',
      'at',
      'reason',
      'rule_id',
      'note',
      'approved_by',
      'policy_version',
      'period',
    ])
    .orderBy('subject_id')
    .orderBy('scheme')
    .orderBy('period')
    .execute();
  const approvals = await db.db
    .selectFrom('level_approvals')
    .select(['subject_id', 'scheme', 'level', 'status'])
    .orderBy('subject_id')
    .execute();
  return { assignments, events, approvals };
}

/** Re-tier the book two subjects a chunk; `richer` runs before chunk 3 is written. Returns which chunks stored a prepared result. */
async function run(db: Db, pipeline: PipelineOptions, signal?: AbortSignal): Promise<Map<number, boolean>> {
  await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW, chunkSubjects: 2 });
  const pipelined = new Map<number, boolean>();
  await drainJobs({
    db: db.db,
    now: () => NOW,
    logError: (err) => assert.fail(String(err)),
    ...(signal ? { signal } : {}),
    onChunk: (c) => pipelined.set(c.seq, c.pipelined ?? false),
    pipeline: {
      ...pipeline,
      beforeApply: async (c) => {
        if (c.seq === 3) await richer(db);
        await pipeline.beforeApply?.(c);
      },
    },
  });
  return pipelined;
}

it('writes what chunks run one at a time write, with data changed under a prepared chunk and a chunk needing sign-offs', async () => {
  const one = await book();
  const piped = await book();
  // The thread never starts: every chunk runs whole inside its transaction, as on PostgreSQL.
  const serial = await run(one, { minChunks: Number.POSITIVE_INFINITY });
  assert.equal([...serial.values()].filter(Boolean).length, 0);
  const pipelined = await run(piped, { minChunks: 1, awaitThread: true });
  assert.equal(pipelined.size, SUBJECTS / 2);
  assert.equal(pipelined.get(3), false, 'the chunk whose data changed after its preparation is run again in its transaction');
  assert.equal(pipelined.get(8), false, 'the chunk that opens a sign-off runs in its transaction');
  assert.ok([...pipelined.values()].filter(Boolean).length >= 6, `most chunks stored what the thread prepared: ${[...pipelined]}`);
  const expected = await written(one);
  assert.ok(expected.approvals.length > 0, 'a sign-off was opened');
  assert.ok(
    expected.assignments.some((a) => a.subject_id === `${TENANT}-0000006` && a.level === 'diamond'),
    'the change between preparation and write decides a level',
  );
  assert.deepEqual(await written(piped), expected);
});

it('a stop gives back the chunk claimed ahead, and another drain finishes the job', async () => {
  const db = await book();
  const stop = new AbortController();
  const first = await run(db, { minChunks: 1, awaitThread: true, beforeApply: (c) => void (c.seq === 2 && stop.abort()) }, stop.signal);
  assert.deepEqual([...first.keys()], [0, 1, 2], 'the chunk in progress when the stop came was finished');
  const ahead = await db.db.selectFrom('job_chunks').select(['status', 'lease_owner']).where('seq', '=', 3).executeTakeFirstOrThrow();
  assert.deepEqual(ahead, { status: 'pending', lease_owner: null });
  await drainJobs({ db: db.db, now: () => NOW, logError: (err) => assert.fail(String(err)), pipeline: false });
  const jobs = await db.db.selectFrom('jobs').select('status').execute();
  assert.deepEqual(jobs, [{ status: 'completed' }]);
});

it('a change watch sees writes of this connection not made through it, and commits of other connections', async () => {
  const db = await book();
  const watch = new ChangeWatch(db.db);
  const write = (trx = db.db) =>
    upsertMetricRows(trx, [
      {
        tenant_id: TENANT,
        subject_id: `${TENANT}-0000001`,
        metric: 'avg_daily_balance',
        period: '2025-07',
        value: Math.floor(Math.random() * 1e9),
      },
    ]);
  const check = (mark: Awaited<ReturnType<ChangeWatch['mark']>>) => watch.write(async (_trx, unchanged) => unchanged, mark);
  let mark = await watch.mark();
  await watch.write((trx) => write(trx));
  assert.equal(await check(mark), true, 'its own writes');
  mark = await watch.mark();
  await write();
  assert.equal(await check(mark), false, 'a write on the same connection');
  mark = await watch.mark();
  const other = new SQLite(join(dir, `book-${files}.db`));
  other.prepare("UPDATE metrics SET value = value + 1 WHERE period = '2025-07'").run();
  other.close();
  assert.equal(await check(mark), false, 'a commit of another connection');
});
