import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { enqueueRetier, provisionTenant } from '@tierkit/api';
import { run } from '../../packages/cli/src/run.js';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { loadBook } from '../support/book.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { testPack } from '../support/test-pack.js';

/*
 * `tierkit worker` on PostgreSQL (the only place it runs): a chunk that fails says, on one line, which
 * chunk of which job of which tenant and why. It used to print only the error's own words
 * ("worker: Unexpected end of JSON input"), which told the operator nothing to act on. No customer id
 * goes with it.
 */

const postgres = dialectUrls('worker-failure-line').find(([dialect]) => dialect === 'postgres');
let db: Db | undefined;
/** A log record (docs/operations.md, "Log lines"): its UTC time, its level, then what the worker says. */
const FAILURE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR worker: /;
after(async () => db?.close());

it('a failed chunk names its chunk, job and tenant, and no customer', { timeout: 600_000 }, async () => {
  const url = await postgres![1]('line');
  db = connect({ url });
  await migrateToLatest(db.db);
  const now = new Date();
  await provisionTenant(db.db, { id: 'bank-a', name: 'bank-a', pack: testPack(), now });
  await loadBook(db.db, 'bank-a', 20, ['2025-08', '2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(db.db, { tenantId: 'bank-a', period: '2025-10', now, chunkSubjects: 100 });
  assert.ok(job);
  // The job's stored parameters no longer read: every claim of its chunk fails.
  await sql`UPDATE jobs SET params = '{' WHERE id = ${job.id}`.execute(db.db);

  // The embedded PostgreSQL of the test stops itself on SIGTERM: only the worker's own handler is called.
  const others = new Set(process.listeners('SIGTERM'));
  const stopWorker = () => {
    for (const listener of process.listeners('SIGTERM')) if (!others.has(listener)) listener('SIGTERM');
  };
  const err: string[] = [];
  const out: string[] = [];
  const worker = run(
    ['worker', '--database', url, '--poll-ms', '50'],
    (l) => out.push(l),
    (l) => {
      err.push(l);
      // Stop the worker, as an operator's SIGTERM would, once it has said why the chunk failed.
      if (FAILURE.test(l)) stopWorker();
    },
  );
  assert.equal(await worker, 0, err.join('\n'));
  const line = err.find((l) => FAILURE.test(l));
  assert.ok(line, `a failure line:\n${err.join('\n')}`);
  assert.match(line, new RegExp(`chunk \\d+ of job ${job.id} \\(tenant bank-a\\) failed: \\S`));
  assert.doesNotMatch([...out, ...err].join('\n'), /B\d{7}|bank-a-\d{7}/, 'no customer id in the worker log');
});
