import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { enqueueRetier, provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { run } from '../../packages/cli/src/run.js';
import { loadBook } from '../support/book.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { testPack } from '../support/test-pack.js';

/*
 * `tierkit worker` taking over a chunk whose worker died: it says so at warn, on one line naming the
 * chunk, job and tenant, whose lease ran out and when — before this, a takeover left no trace, and an
 * operator could not tell a dead worker from a slow one. No customer id goes with it.
 */

const postgres = dialectUrls('worker-takeover-line').find(([dialect]) => dialect === 'postgres');
let db: Db | undefined;
after(async () => db?.close());

const RECORD = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (INFO |WARN |ERROR) /;

it('a chunk taken over from an expired lease is a warn line naming the chunk, job, tenant, the dead worker and when its lease ran out', {
  timeout: 600_000,
}, async () => {
  const url = await postgres![1]('takeover');
  db = connect({ url });
  await migrateToLatest(db.db);
  const now = new Date();
  await provisionTenant(db.db, { id: 'bank-t', name: 'bank-t', pack: testPack(), now });
  await loadBook(db.db, 'bank-t', 20, ['2025-08', '2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(db.db, { tenantId: 'bank-t', period: '2025-10', now, chunkSubjects: 100 });
  assert.ok(job);
  // A worker that claimed the chunk and died: its lease is still on the row, run out an hour ago.
  const expired = new Date(now.getTime() - 3_600_000).toISOString();
  await sql`UPDATE job_chunks SET lease_owner = 'host-a:4242:dead', lease_expires_at = ${expired}, attempts = 1 WHERE job_id = ${job.id}`.execute(
    db.db,
  );

  const others = new Set(process.listeners('SIGTERM'));
  const stopWorker = () => {
    for (const listener of process.listeners('SIGTERM')) if (!others.has(listener)) listener('SIGTERM');
  };
  const out: string[] = [];
  const err: string[] = [];
  const worker = run(
    ['worker', '--database', url, '--poll-ms', '50'],
    (l) => {
      out.push(l);
      if (l.includes(` chunk 0: `)) stopWorker();
    },
    (l) => err.push(l),
  );
  assert.equal(await worker, 0, err.join('\n'));
  const takeovers = err.filter((l) => l.includes('took over'));
  assert.equal(takeovers.length, 1, 'one chunk, one takeover: a chunk claimed afresh is none');
  const warn = takeovers[0];
  assert.ok(warn, `a takeover line:\n${err.join('\n')}`);
  assert.match(
    warn,
    new RegExp(
      `^\\S+Z WARN  worker \\S+: took over chunk 0 of job ${job.id} \\(tenant bank-t\\): the lease of host-a:4242:dead expired at ${expired.replace(/\./g, '\\.')}`,
    ),
  );
  // The chunk was then done by this worker, and every line it wrote is a log record.
  assert.ok(
    out.some((l) => l.includes(`${job.id} chunk 0: 20 subjects`)),
    out.join('\n'),
  );
  for (const line of [...out, ...err]) assert.match(line, RECORD, line);
  assert.doesNotMatch([...out, ...err].join('\n'), /B\d{7}|bank-t-\d{7}/, 'no customer id in the worker log');
});
