import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { drainJobs, enqueueRetier, jobView, MAX_BUSY_GIVE_BACKS, provisionTenant, runWorker, workOnce } from '@tierkit/api';
import { BUSY_WAIT_MS, connect, migrateToLatest, type Db } from '@tierkit/db';
import { loadBook } from '../support/book.js';
import { testPack } from '../support/test-pack.js';

/*
 * `tierkit retier` beside `npm start` on one SQLite file: the other process holds the write lock past
 * BUSY_WAIT_MS while a chunk waits to begin. The chunk's transaction never began, so nothing of it was
 * written; it used to be logged as a "chunk failed" stack and counted as an attempt (three such waits
 * failed the whole job). It is given back as unused, logged as one line, and runs again.
 */

const dir = mkdtempSync(join(tmpdir(), 'tierkit-busy-'));
const open: Db[] = [];
after(async () => {
  for (const d of open) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a chunk refused the write lock by another process is retried without counting an attempt, in one log line', {
  timeout: 60_000,
}, async () => {
  const file = join(dir, 'busy.db');
  const worker = connect({ url: file });
  const other = connect({ url: file });
  open.push(worker, other);
  await migrateToLatest(worker.db);
  const now = new Date();
  await provisionTenant(worker.db, { id: 'b', name: 'b', pack: testPack(), now });
  await loadBook(worker.db, 'b', 20, ['2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(worker.db, { tenantId: 'b', period: '2025-10', now });
  assert.ok(job);

  // Once the chunk is claimed (its job row read), the other connection takes the write lock and keeps
  // it a second longer than a write waits, as a long CLI chunk does.
  let holding: Promise<void> | undefined;
  const claimFirst = worker.db.withPlugin({
    transformQuery: ({ node }) => node,
    async transformResult({ result }) {
      if (holding || !(result.rows[0] && 'params' in result.rows[0])) return result;
      let locked!: () => void;
      const hasLock = new Promise<void>((r) => (locked = r));
      holding = other.db.transaction().execute(async (trx) => {
        await trx.updateTable('tenants').set({ name: 'b (busy)' }).where('id', '=', 'b').execute();
        locked();
        await new Promise((r) => setTimeout(r, BUSY_WAIT_MS + 1000));
      });
      await hasLock;
      return result;
    },
  });
  const logged: unknown[] = [];
  assert.equal(await workOnce({ db: claimFirst, logError: (e) => logged.push(e) }), true);
  await holding;

  assert.equal(logged.length, 1, `one line: ${logged.map(String).join(' | ')}`);
  assert.equal(typeof logged[0], 'string', 'a line, not a stack');
  assert.match(String(logged[0]), new RegExp(`^chunk 0 of ${job.id}: database busy .*retried — nothing lost$`));
  const chunk = await worker.db.selectFrom('job_chunks').selectAll().where('job_id', '=', job.id).executeTakeFirstOrThrow();
  assert.equal(chunk.status, 'pending');
  assert.equal(chunk.lease_owner, null, 'given back at once, not left to its lease');
  assert.equal(Number(chunk.attempts), 0, 'the busy wait is not an attempt of the chunk');

  // Run again, it completes with every subject: nothing was lost.
  assert.equal(await workOnce({ db: worker.db, logError: (e) => logged.push(e) }), true);
  assert.equal(logged.length, 1);
  const done = await jobView(worker.db, 'b', job.id);
  assert.equal(done?.status, 'completed');
  assert.equal(done?.progress.subjects.processed, 20);
});

it('a worker whose claim waits out another process’s write lock says so in a line and carries on', { timeout: 60_000 }, async () => {
  const file = join(dir, 'claim.db');
  const worker = connect({ url: file });
  const other = connect({ url: file });
  open.push(worker, other);
  await migrateToLatest(worker.db);
  const now = new Date();
  await provisionTenant(worker.db, { id: 'c', name: 'c', pack: testPack(), now });
  await loadBook(worker.db, 'c', 10, ['2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(worker.db, { tenantId: 'c', period: '2025-10', now });
  assert.ok(job);
  let locked!: () => void;
  const hasLock = new Promise<void>((r) => (locked = r));
  const holding = other.db.transaction().execute(async (trx) => {
    await trx.updateTable('tenants').set({ name: 'c (busy)' }).where('id', '=', 'c').execute();
    locked();
    await new Promise((r) => setTimeout(r, BUSY_WAIT_MS + 1500));
  });
  await hasLock;
  const logged: unknown[] = [];
  const abort = new AbortController();
  let finished!: () => void;
  const completed = new Promise<void>((r) => (finished = r));
  const running = runWorker({
    db: worker.db,
    pollMs: 50,
    signal: abort.signal,
    logError: (e) => logged.push(e),
    onChunk: () => finished(),
  });
  await holding;
  await completed;
  abort.abort();
  await running;
  assert.ok(logged.length >= 1, 'the wait was said');
  for (const l of logged)
    assert.match(String(l), /^database busy \(another process held the write lock over 5 s\); trying again in 50 ms$/);
  const done = await jobView(worker.db, 'c', job.id);
  assert.equal(done?.status, 'completed');
  assert.equal(done?.progress.subjects.processed, 10);
});

/** `db` throwing `err` on every update whose table and contents include the given words. */
function failing(db: Db['db'], words: readonly string[], err: () => Error): Db['db'] {
  return db.withPlugin({
    transformQuery: ({ node }) => {
      const n = JSON.stringify(node);
      if (node.kind === 'UpdateQueryNode' && words.every((w) => n.includes(`"${w}"`))) throw err();
      return node;
    },
    async transformResult({ result }) {
      return result;
    },
  });
}

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

async function bookWithJob(name: string, tenant: string) {
  const w = connect({ url: join(dir, name) });
  open.push(w);
  await migrateToLatest(w.db);
  const now = new Date();
  await provisionTenant(w.db, { id: tenant, name: tenant, pack: testPack(), now });
  await loadBook(w.db, tenant, 20, ['2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(w.db, { tenantId: tenant, period: '2025-10', now });
  assert.ok(job);
  return { w, job };
}

it('a job whose completion is refused after its last chunk committed is completed by the next claim that finds nothing', {
  timeout: 60_000,
}, async () => {
  const { w, job } = await bookWithJob('complete.db', 'd');
  const logged: unknown[] = [];
  // Busy on `completed` only: the chunk's own transaction commits.
  assert.equal(await workOnce({ db: failing(w.db, ['jobs', 'completed'], busy), logError: (e) => logged.push(e) }), true);
  assert.equal(logged.length, 1, logged.map(String).join(' | '));
  assert.doesNotMatch(String(logged[0]), /retried/, 'nothing was given back');
  assert.match(String(logged[0]), new RegExp(`^job ${job.id}: chunk stored, but marking the job completed failed: database busy`));
  assert.equal((await jobView(w.db, 'd', job.id))?.status, 'running');
  // No chunk is left to claim: the claim completes the job instead of leaving it running for good.
  assert.equal(await workOnce({ db: w.db, logError: (e) => logged.push(e) }), false);
  const v = await jobView(w.db, 'd', job.id);
  assert.equal(v?.status, 'completed');
  assert.equal(v?.progress.subjects.processed, 20);
});

it('the pipelined drain completes such a job too', { timeout: 60_000 }, async () => {
  const { w, job } = await bookWithJob('complete-drain.db', 'e');
  const logged: unknown[] = [];
  // Its last claim, finding nothing, tries to complete the job as well and is refused the same way.
  await assert.rejects(drainJobs({ db: failing(w.db, ['jobs', 'completed'], busy), logError: (e) => logged.push(e) }), {
    code: 'SQLITE_BUSY',
  });
  assert.ok(
    logged.some((l) => String(l).startsWith(`job ${job.id}: chunk stored`)),
    logged.map(String).join(' | '),
  );
  assert.equal((await jobView(w.db, 'e', job.id))?.status, 'running');
  await drainJobs({ db: w.db, logError: (e) => logged.push(e) });
  assert.equal((await jobView(w.db, 'e', job.id))?.status, 'completed');
});

it('a chunk busy time after time fails its job, saying why, after MAX_BUSY_GIVE_BACKS, logging the first only', {
  timeout: 60_000,
}, async () => {
  const { w, job } = await bookWithJob('busy-forever.db', 'f');
  const logged: unknown[] = [];
  const stuck = failing(w.db, ['job_chunks', 'done'], busy);
  let claims = 0;
  while (await workOnce({ db: stuck, logError: (e) => logged.push(e) })) if (++claims > MAX_BUSY_GIVE_BACKS + 5) break;
  assert.equal(claims, MAX_BUSY_GIVE_BACKS + 1, 'claimed until the cap, then nothing left to claim');
  const v = await jobView(w.db, 'f', job.id);
  assert.equal(v?.status, 'failed');
  const row = await w.db.selectFrom('jobs').select('error').where('id', '=', job.id).executeTakeFirstOrThrow();
  assert.match(String(row.error), new RegExp(`^chunk 0: database busy ${MAX_BUSY_GIVE_BACKS + 1} times over 0 min`));
  assert.equal(logged.length, 2, `the first busy and the failure: ${logged.map(String).join(' | ')}`);
});

it('an outage in the middle of a chunk does not cost the chunk an attempt', { timeout: 60_000 }, async () => {
  const { w, job } = await bookWithJob('outage.db', 'g');
  const logged: unknown[] = [];
  const cut = failing(w.db, ['job_chunks', 'done'], () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  assert.equal(await workOnce({ db: cut, logError: (e) => logged.push(e) }), true);
  const chunk = await w.db.selectFrom('job_chunks').selectAll().where('job_id', '=', job.id).executeTakeFirstOrThrow();
  assert.equal(chunk.lease_owner, null, 'given back');
  assert.equal(Number(chunk.attempts), 0, 'the outage is not an attempt of the chunk');
  assert.match(String(logged[0]), /^database unreachable/);
});
