// What share of an erasure chunk the scans of records kept for others take (erasure-traces.ts: re-tier
// jobs, import row errors, kept Idempotency-Key answers), on SQLite (a temporary file): N customers closed
// in 2010, all but ERASABLE under a legal hold; JOBS re-tier jobs of 20 customers each, ERRORS import row
// errors naming customers, ANSWERS kept answers, none naming the customers erased (the usual case: the
// scan finds nothing). Alternating rounds in one process, each a chunk of 500 erased and rolled back:
// A the three scans alone, B the whole chunk (eraseSubjects), R the import row errors' scan alone and,
// with `--old ROOT` (a checkout of another commit, e.g. `git archive` of main with this node_modules
// linked in), O that checkout's import row errors' scan on the same database. CPU of this process per
// chunk; the database is in-process (better-sqlite3), so its work counts. Asserts nothing but that O and
// R clear the same number of row errors.
// Run: node --import tsx bench/batch/erasure-scans.bench.ts [N] [ERASABLE] [JOBS] [ERRORS] [ANSWERS] [ROUNDS] [--old ROOT]
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { provisionTenant } from '@tierkit/api';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import { connect, eraseSubjects, erasableSubjectIds, insertSubjects, migrateToLatest } from '@tierkit/db';
import { sql } from 'kysely';
import { eraseFromImportErrors, eraseFromJobs, eraseIdempotentAnswers } from '../../packages/db/src/repositories/erasure-traces.js';
import { retentionClock } from '../../packages/api/src/services/retention.js';

const oldAt = process.argv.indexOf('--old');
const oldRoot = oldAt > 0 ? process.argv[oldAt + 1] : undefined;
const positional = oldAt > 0 ? [...process.argv.slice(0, oldAt), ...process.argv.slice(oldAt + 2)] : process.argv;
const arg = (i: number, d: number) => Number(positional[i] ?? d);
type RowErrorScan = typeof eraseFromImportErrors;
const oldScan: RowErrorScan | undefined = oldRoot
  ? (
      (await import(pathToFileURL(join(resolve(oldRoot), 'packages/db/src/repositories/erasure-traces.ts')).href)) as {
        eraseFromImportErrors: RowErrorScan;
      }
    ).eraseFromImportErrors
  : undefined;
const n = arg(2, 100_000);
const erasable = arg(3, 1_000);
const jobs = arg(4, 2_000);
const errors = arg(5, 100_000);
const answers = arg(6, 10_000);
const rounds = arg(7, 6);

const db = connect({ url: join(mkdtempSync(join(tmpdir(), 'tk-erasure-scans-')), 'bench.db') });
await migrateToLatest(db.db);
await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
const now = new Date().toISOString();
/** When the bank first recorded the customers (`created_at`), and their closings with them. */
const RECORDED = '2009-06-01T00:00:00.000Z';
await insertSubjects(
  db.db,
  'bank',
  Array.from({ length: n }, (_, i) => ({
    id: `s-${String(i).padStart(8, '0')}`,
    externalId: `C${String(i).padStart(7, '0')}`,
    kind: 'customer',
    displayName: `客户${i}`,
    attributes: {},
    closed: { at: '2010-03-01T00:00:00.000Z', reason: '销户' },
  })),
  // Recorded before they left: a customer recorded after the cutoff is never erasable, and with none
  // erasable the chunk would time nothing.
  RECORDED,
);
// The erasable are the last ERASABLE by id; the rest held, and what the scans read names only them.
await sql`update subjects set legal_hold = 'x' where id < ${`s-${String(n - erasable).padStart(8, '0')}`}`.execute(db.db);
const kept = (i: number) => `C${String(i % (n - erasable)).padStart(7, '0')}`;
for (let j = 0; j < jobs; j++)
  await db.db
    .insertInto('jobs')
    .values({
      id: `job-${j}`,
      tenant_id: 'bank',
      kind: 'retier',
      status: 'completed',
      params: JSON.stringify({
        period: '2024-01',
        filter: { subjects: Array.from({ length: 20 }, (_, k) => kept(j * 20 + k)) },
        reason: `补跑 ${kept(j)}`,
      }),
      requested_by: 'key:bench',
      schedule_key: null,
      total_chunks: 1,
      total_subjects: 20,
      error: null,
      created_at: now,
      updated_at: now,
      finished_at: now,
    } as never)
    .execute();
await db.db
  .insertInto('imports')
  .values({
    id: 'imp-1',
    tenant_id: 'bank',
    kind: 'subjects',
    status: 'failed',
    options: '{}',
    file_name: 'x.csv',
    bytes: 0,
    rows: errors,
    rejected_rows: errors,
    errors,
    written: 0,
    unchanged: 0,
    periods: '[]',
    detail: null,
    created_by: 'key:bench',
    created_at: now,
    finished_at: now,
  } as never)
  .execute();
for (let i = 0; i < errors; i += 1000)
  await db.db
    .insertInto('import_errors')
    .values(
      Array.from({ length: Math.min(1000, errors - i) }, (_, k) => ({
        import_id: 'imp-1',
        seq: i + k,
        line: i + k + 2,
        column_name: 'kind',
        message: `subject "${kept(i + k)}" is a customer; kind cannot change`,
        code: 'immutable',
        params: JSON.stringify({ subject: kept(i + k) }),
      })) as never,
    )
    .execute();
const expires = new Date(Date.now() + 86_400_000).toISOString();
for (let i = 0; i < answers; i += 1000)
  await db.db
    .insertInto('idempotency_keys')
    .values(
      Array.from({ length: Math.min(1000, answers - i) }, (_, k) => ({
        tenant_id: 'bank',
        actor: 'key:bench',
        key: `k-${i + k}`,
        request_hash: 'h',
        status: 200,
        content_type: 'application/json',
        body: JSON.stringify({ id: kept(i + k), name: '某某', closed: true }),
        created_at: now,
        expires_at: expires,
        holder: null,
        lease_until: null,
      })) as never,
    )
    .execute();

const clock = retentionClock(new Date(), 5, DEFAULT_TIME_ZONE);
class Rollback extends Error {}
type Side = 'scans' | 'chunk' | 'rowErrors' | 'oldRowErrors';
/** One chunk of 500 in a transaction rolled back, `side` of it timed. CPU µs, and the row errors cleared (R and O). */
async function chunk(side: Side): Promise<{ cpu: number; cleared?: number }> {
  let cleared: number | undefined;
  const start = process.cpuUsage();
  await db.db
    .transaction()
    .execute(async (trx) => {
      const ids = await erasableSubjectIds(trx, 'bank', clock, 500);
      if (side === 'chunk') await eraseSubjects(trx, 'bank', ids, new Date().toISOString());
      else {
        const rows = await trx.selectFrom('subjects').select(['external_id', 'display_name']).where('id', 'in', ids).execute();
        const people = { numbers: rows.map((r) => r.external_id), names: rows.map((r) => r.display_name) };
        if (side === 'scans') {
          await eraseFromJobs(trx, 'bank', people);
          await eraseFromImportErrors(trx, 'bank', people);
          await eraseIdempotentAnswers(trx, 'bank', people);
        } else cleared = (await (side === 'oldRowErrors' && oldScan ? oldScan : eraseFromImportErrors)(trx, 'bank', people)).erased;
      }
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  const u = process.cpuUsage(start);
  return { cpu: u.user + u.system, cleared };
}

const sides: Side[] = ['scans', 'chunk', 'rowErrors', ...(oldScan ? (['oldRowErrors'] as const) : [])];
const cpu = new Map<Side, number[]>(sides.map((s) => [s, []]));
const cleared = new Map<Side, number | undefined>();
for (const side of sides) cleared.set(side, (await chunk(side)).cleared);
if (oldScan && cleared.get('rowErrors') !== cleared.get('oldRowErrors'))
  throw new Error(`the two scans cleared ${cleared.get('rowErrors')} and ${cleared.get('oldRowErrors')} row errors`);
for (let r = 0; r < rounds; r++) {
  // Each round in another order: a neighbour's burst falls on each side alike.
  const order = r % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) cpu.get(side)?.push((await chunk(side)).cpu);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const ms = (side: Side) => (cpu.get(side)?.length ? Math.round(median(cpu.get(side) ?? []) / 1000) : undefined);
console.log(
  JSON.stringify({
    n,
    erasable,
    jobs,
    errors,
    answers,
    rounds,
    scansMsPerChunk: ms('scans'),
    chunkMsPerChunk: ms('chunk'),
    rowErrorsMsPerChunk: ms('rowErrors'),
    oldRowErrorsMsPerChunk: ms('oldRowErrors'),
    rowErrorsCleared: cleared.get('rowErrors'),
    load: loadavg().map((x) => x.toFixed(1)),
  }),
);
await db.close();
