import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, it } from 'node:test';
import { enqueueRetier, provisionTenant } from '@tierkit/api';
import { claimChunk, connect, migrateToLatest, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { loadBook } from '../support/book.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { testPack } from '../support/test-pack.js';

/*
 * Workers on PostgreSQL: three `tierkit worker` processes share one job's chunks (FOR UPDATE SKIP
 * LOCKED); one is killed with SIGKILL mid-job and a chunk is left leased by a worker that never
 * returns. The others take both over after their leases, and every subject is re-tiered exactly once.
 */

const SUBJECTS = 3000;
const children: ChildProcess[] = [];
let server: TestPostgres | undefined;
let db: Db | undefined;
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db?.close();
  await server?.stop();
});

it('three workers, one killed mid-job: the job completes exactly once per subject', { timeout: 600_000 }, async () => {
  server = await startPostgres();
  const url = await server.createDatabase(`tierkit_workers_${process.pid}`);
  db = connect({ url, poolSize: 2 });
  await migrateToLatest(db.db);
  const now = new Date();
  await provisionTenant(db.db, { id: 'pgw', name: 'pgw', pack: testPack(), now });
  await loadBook(db.db, 'pgw', SUBJECTS, ['2025-08', '2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(db.db, { tenantId: 'pgw', period: '2025-10', now, chunkSubjects: 100 });
  assert.ok(job);
  const chunks = job.progress.chunks.total;
  // A worker that claimed a chunk and died before it started: its lease has already run out.
  const dead = await claimChunk(db.db, 'dead-worker', now.toISOString(), new Date(now.getTime() - 1000).toISOString());
  assert.ok(dead);

  const committed = [0, 0, 0];
  const workers = [0, 1, 2].map((i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/retier-worker.ts', url, 'real', '3000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    child.stdout?.on('data', (d: Buffer) => {
      committed[i] =
        (committed[i] ?? 0) +
        d
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('chunk ')).length;
    });
    return child;
  });
  // Kill the first worker once it has committed two chunks (it is then working on its next one).
  const victim = workers[0] as ChildProcess;
  await until(() => (committed[0] ?? 0) >= 2 || done(), 300_000, 'the first worker to commit two chunks');
  victim.kill('SIGKILL');
  await until(done, 300_000, 'the job to complete');
  for (const w of workers.slice(1)) w.kill('SIGTERM');

  const chunkRows = await db.db.selectFrom('job_chunks').select(['status', 'result']).where('job_id', '=', job.id).execute();
  assert.equal(chunkRows.length, chunks);
  assert.ok(chunkRows.every((c) => c.status === 'done'));
  const processed = chunkRows.reduce((n, c) => n + (JSON.parse(c.result ?? '{}') as { processed: number }).processed, 0);
  // Exactly once: one initial event per subject and scheme, and one assignment each.
  const events = await sql<{ n: number; subjects: number; max: number }>`
    SELECT count(*) AS n, count(DISTINCT subject_id) AS subjects, max(c) AS max FROM (
      SELECT subject_id, scheme, count(*) AS c FROM tier_events WHERE tenant_id = 'pgw' GROUP BY subject_id, scheme) t`.execute(db.db);
  const e = events.rows[0];
  assert.ok(e);
  assert.equal(Number(e.max), 1, 'no subject re-tiered twice');
  assert.equal(Number(e.subjects), processed, 'every re-evaluated subject has its events');
  assert.ok(processed > SUBJECTS * 0.9, `nearly every customer has data to evaluate (${processed})`);
  const assignments = await sql<{ n: number }>`SELECT count(*) AS n FROM assignments WHERE tenant_id = 'pgw'`.execute(db.db);
  assert.equal(Number(assignments.rows[0]?.n), processed * 3);
  assert.equal(Number(e.n), processed * 3);
  assert.ok((committed[1] ?? 0) + (committed[2] ?? 0) > 0, 'the surviving workers did the rest');

  async function done(): Promise<boolean> {
    const row = await (db as Db).db
      .selectFrom('jobs')
      .select('status')
      .where('id', '=', job?.id ?? '')
      .executeTakeFirst();
    return row?.status === 'completed';
  }
});

/** Wait for a condition, checking every 100 ms. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
