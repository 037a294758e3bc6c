import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
 * goes with it — nor, read as a shipper reads the spawned worker's JSON lines, in any field.
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

const root = new URL('../..', import.meta.url).pathname;

it('TIERKIT_LOG_FORMAT=json: the spawned worker writes JSON records, the failure an error on stderr, no field naming a customer', {
  timeout: 600_000,
}, async () => {
  const url = await postgres![1]('json');
  const jdb = connect({ url });
  try {
    await migrateToLatest(jdb.db);
    const now = new Date();
    await provisionTenant(jdb.db, { id: 'bank-j', name: 'bank-j', pack: testPack(), now });
    await loadBook(jdb.db, 'bank-j', 20, ['2025-08', '2025-09', '2025-10'], now.toISOString());
    const job = await enqueueRetier(jdb.db, { tenantId: 'bank-j', period: '2025-10', now, chunkSubjects: 100 });
    assert.ok(job);
    await sql`UPDATE jobs SET params = '{' WHERE id = ${job.id}`.execute(jdb.db);
    const customers = await jdb.db
      .selectFrom('subjects')
      .select(['external_id', 'display_name'])
      .where('tenant_id', '=', 'bank-j')
      .execute();
    assert.equal(customers.length, 20);

    // As an operator runs it: its own process, its lines read from its stdout and stderr.
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', 'worker', '--database', url, '--poll-ms', '50'], {
      cwd: root,
      env: { ...process.env, TIERKIT_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Stopped, as an operator's SIGTERM would, once it has said why the chunk failed (at whatever level, on whichever stream).
    // Once: a second SIGTERM, after the worker's handler is gone, would kill it mid-stop.
    let stopped = false;
    const stopOnFailure = () => {
      if (stopped || !/ of job \S+ \(tenant bank-j\) failed: /.test(stdout + stderr)) return;
      stopped = true;
      child.kill('SIGTERM');
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      stopOnFailure();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      stopOnFailure();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const lines = (text: string) => text.split('\n').filter((l) => l !== '');
    assert.equal(code, 0, stdout + stderr);
    const records = [...lines(stdout).map((l) => ['stdout', l] as const), ...lines(stderr).map((l) => ['stderr', l] as const)].map(
      ([stream, line]) => {
        const r = JSON.parse(line) as Record<string, unknown>;
        assert.equal(new Date(String(r.time)).toISOString(), r.time, `an ISO-8601 UTC time: ${line}`);
        assert.ok(['info', 'warn', 'error'].includes(String(r.level)), line);
        assert.equal(typeof r.msg, 'string', line);
        // Info on stdout, but for the `database:` line, on stderr as every CLI command's (docs/operations.md).
        const expected = r.level !== 'info' || String(r.msg).startsWith('database: ') ? 'stderr' : 'stdout';
        assert.equal(stream, expected, line);
        return r;
      },
    );
    const failure = records.find((r) => r.level === 'error');
    assert.ok(failure, stdout + stderr);
    assert.match(String(failure.msg), new RegExp(`chunk \\d+ of job ${job.id} \\(tenant bank-j\\) failed: \\S`));
    const personal = customers.flatMap((c) => [c.external_id, c.display_name]);
    for (const r of records)
      for (const [field, value] of Object.entries(r))
        for (const p of personal) assert.ok(!String(value).includes(p), `customer "${p}" in field ${field}: ${JSON.stringify(r)}`);
  } finally {
    await jdb.close();
  }
});
