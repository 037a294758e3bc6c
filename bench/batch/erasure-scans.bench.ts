// What share of an erasure chunk the scans of records kept for others take (erasure-traces.ts: re-tier
// jobs and simulation chunks, import row errors, kept Idempotency-Key answers), on SQLite (a temporary
// file): N customers closed in 2010, all but ERASABLE under a legal hold; JOBS re-tier jobs of 20
// customers each, ERRORS import row errors naming customers, ANSWERS kept answers, and with
// `--simulation-chunks K` one simulation job of K chunks with sample numbers; none naming the customers
// erased (the usual case: the scans find nothing). Alternating rounds in one process, each a chunk of
// 500 erased and rolled back: A the three scans alone, B the whole chunk (eraseSubjects), and each scan
// alone — J the jobs' (with the simulation chunks), R the import row errors', I the stored answers'.
// With `--old ROOT` (a checkout of another commit, e.g. `git archive` of main with this node_modules
// linked in), OJ, O and OI: that checkout's three scans on the same database. CPU of this process per
// chunk; the database is in-process (better-sqlite3), so its work counts. Asserts nothing but that each
// scan and its old one find the same. `--job-subjects K`: each re-tier job lists K customers (20 by default;
// a bank's may list 10,000, about 660 KB of params). `--postgres`: on an embedded PostgreSQL instead, the
// cluster's CPU (its process tree) counted beside this process's. Also JW, the jobs' scan of a chunk
// given a retention run's walk (erasure-walk.ts) made once for all ERASABLE customers, and W, that
// walk itself (a run makes one per RETENTION_WALK_CHUNKS chunks). `--total`: instead of the above, the
// jobs' scans of erasing all ERASABLE customers, chunk after chunk (each rolled back): T without a walk
// (with `--old`, that checkout's) and TW with the walks a run makes, alternating, CPU of each whole.
// Run: node --import tsx bench/batch/erasure-scans.bench.ts [N] [ERASABLE] [JOBS] [ERRORS] [ANSWERS] [ROUNDS] [--simulation-chunks K] [--job-subjects K] [--postgres] [--old ROOT] [--total]
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { provisionTenant } from '@tierkit/api';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import {
  connect,
  eraseSubjects,
  erasableSubjectIds,
  insertSubjects,
  type KeptMentions,
  migrateToLatest,
  walkForErasable,
} from '@tierkit/db';
import { sql } from 'kysely';
import { eraseFromImportErrors, eraseFromJobs, eraseIdempotentAnswers } from '../../packages/db/src/repositories/erasure-traces.js';
import { RETENTION_WALK_CHUNKS, retentionClock } from '../../packages/api/src/services/retention.js';
import { startPostgres } from '../../tests/support/postgres.js';
import { postmasterPid, treeCpu } from './proc-cpu.js';

/** The value of `--name` and the arguments without it. */
function option(args: readonly string[], name: string): [string | undefined, string[]] {
  const at = args.indexOf(name);
  return at > 0 ? [args[at + 1], [...args.slice(0, at), ...args.slice(at + 2)]] : [undefined, [...args]];
}
const [oldRoot, rest] = option(process.argv, '--old');
const [simulationChunksArg, afterSimulation] = option(rest, '--simulation-chunks');
const [jobSubjectsArg, afterJobSubjects] = option(afterSimulation, '--job-subjects');
const postgres = afterJobSubjects.includes('--postgres');
const totalMode = afterJobSubjects.includes('--total');
const positional = afterJobSubjects.filter((a) => a !== '--postgres' && a !== '--total');
const jobSubjects = Number(jobSubjectsArg ?? 20);
const arg = (i: number, d: number) => Number(positional[i] ?? d);
interface Scans {
  readonly eraseFromJobs: typeof eraseFromJobs;
  readonly eraseFromImportErrors: typeof eraseFromImportErrors;
  readonly eraseIdempotentAnswers: typeof eraseIdempotentAnswers;
}
const current: Scans = { eraseFromJobs, eraseFromImportErrors, eraseIdempotentAnswers };
const old: Scans | undefined = oldRoot
  ? ((await import(pathToFileURL(join(resolve(oldRoot), 'packages/db/src/repositories/erasure-traces.ts')).href)) as Scans)
  : undefined;
const simulationChunks = Number(simulationChunksArg ?? 0);
const n = arg(2, 100_000);
const erasable = arg(3, 1_000);
const jobs = arg(4, 2_000);
const errors = arg(5, 100_000);
const answers = arg(6, 10_000);
const rounds = arg(7, 6);

const pg = postgres ? await startPostgres() : undefined;
const postmaster = pg ? postmasterPid(pg.dataDir) : undefined;
const db = connect({
  url: pg ? await pg.createDatabase('bench_erasure_scans') : join(mkdtempSync(join(tmpdir(), 'tk-erasure-scans-')), 'bench.db'),
});
await migrateToLatest(db.db);
await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
const now = new Date().toISOString();
/**
 * When the jobs and the simulation were queued: months back, as a bank's history is. A job queued in
 * the last minutes is one a retention run's walk may have missed, and every chunk reads it again.
 */
const QUEUED = '2024-02-01T00:00:00.000Z';
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
        filter: { subjects: Array.from({ length: jobSubjects }, (_, k) => kept(j * jobSubjects + k)) },
        reason: `补跑 ${kept(j)}`,
      }),
      requested_by: 'key:bench',
      schedule_key: null,
      total_chunks: 1,
      total_subjects: jobSubjects,
      error: null,
      created_at: QUEUED,
      updated_at: QUEUED,
      finished_at: QUEUED,
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
// A simulation of the book: its chunks' results keep their first samples by number, as JSON strings.
if (simulationChunks > 0) {
  await db.db
    .insertInto('jobs')
    .values({
      id: 'sim-1',
      tenant_id: 'bank',
      kind: 'simulate',
      status: 'completed',
      params: '{}',
      requested_by: 'key:bench',
      schedule_key: null,
      total_chunks: simulationChunks,
      total_subjects: simulationChunks * 500,
      error: null,
      created_at: QUEUED,
      updated_at: QUEUED,
      finished_at: QUEUED,
    } as never)
    .execute();
  const samples = (c: number, cell: number) => Array.from({ length: 5 }, (_, k) => kept(c * 20 + cell * 5 + k));
  for (let c = 0; c < simulationChunks; c += 500)
    await db.db
      .insertInto('job_chunks')
      .values(
        Array.from({ length: Math.min(500, simulationChunks - c) }, (_, k) => ({
          job_id: 'sim-1',
          seq: c + k,
          tenant_id: 'bank',
          first_subject: 's-0',
          last_subject: 's-9',
          subjects: 500,
          status: 'done',
          lease_owner: null,
          lease_expires_at: null,
          attempts: 1,
          result: JSON.stringify({
            processed: 500,
            skipped: 0,
            changes: 0,
            approvalRequired: 0,
            matrix: [],
            simulation: {
              cells: ['standard', 'gold', 'platinum', 'diamond'].map((to, cell) => ({
                from: 'standard',
                to,
                count: 125,
                samples: samples(c + k, cell),
              })),
              held: [],
              kept: 375,
              processed: 500,
              skipped: 0,
            },
          }),
          finished_at: now,
        })) as never,
      )
      .execute();
}
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
type Side = 'scans' | 'chunk' | 'jobs' | 'rowErrors' | 'answers' | 'oldJobs' | 'oldRowErrors' | 'oldAnswers' | 'walkedJobs' | 'walk';
/** CPU µs of this process and the cluster's since `from`. */
const cpuSince = (from: { start: NodeJS.CpuUsage; cluster: number }) => {
  const u = process.cpuUsage(from.start);
  return u.user + u.system + (postmaster === undefined ? 0 : (treeCpu(postmaster) - from.cluster) * 1e6);
};
const cpuNow = () => ({ start: process.cpuUsage(), cluster: postmaster === undefined ? 0 : treeCpu(postmaster) });
/** The chunk's people as eraseSubjects reads them, and what a walk leaves to its own read. */
async function peopleOf(trx: typeof db.db, ids: readonly string[], walked?: KeptMentions) {
  const rows = await trx.selectFrom('subjects').select(['external_id', 'display_name']).where('id', 'in', ids).execute();
  const people = { numbers: rows.map((r) => r.external_id), names: rows.map((r) => r.display_name) };
  const uncovered = walked?.uncovered(rows.map((r) => ({ number: r.external_id, name: r.display_name })));
  return { people, walkedWith: walked && uncovered ? { mentions: walked, uncovered } : undefined };
}
/** The walk of every erasable customer, made once for the JW side (timed on its own as W). */
let everyone: KeptMentions | undefined;
/** One chunk of 500 in a transaction rolled back, `side` of it timed. CPU µs, and what a lone scan found (compared with its old one). */
async function chunk(side: Side): Promise<{ cpu: number; found?: string }> {
  let found: string | undefined;
  const cluster = postmaster === undefined ? 0 : treeCpu(postmaster);
  const start = process.cpuUsage();
  await db.db
    .transaction()
    .execute(async (trx) => {
      const ids = await erasableSubjectIds(trx, 'bank', clock, 500);
      if (side === 'chunk') await eraseSubjects(trx, 'bank', ids, new Date().toISOString());
      else if (side === 'walk') everyone = await walkForErasable(trx, 'bank', clock, erasable, undefined, new Date());
      else if (side === 'walkedJobs') {
        const { people, walkedWith } = await peopleOf(trx, ids, everyone);
        found = JSON.stringify(await eraseFromJobs(trx, 'bank', people, walkedWith));
      } else {
        const rows = await trx.selectFrom('subjects').select(['external_id', 'display_name']).where('id', 'in', ids).execute();
        const people = { numbers: rows.map((r) => r.external_id), names: rows.map((r) => r.display_name) };
        const scans = side.startsWith('old') && old ? old : current;
        if (side === 'scans') {
          await scans.eraseFromJobs(trx, 'bank', people);
          await scans.eraseFromImportErrors(trx, 'bank', people);
          await scans.eraseIdempotentAnswers(trx, 'bank', people);
        } else if (side === 'jobs' || side === 'oldJobs') found = JSON.stringify(await scans.eraseFromJobs(trx, 'bank', people));
        else if (side === 'rowErrors' || side === 'oldRowErrors')
          found = JSON.stringify(await scans.eraseFromImportErrors(trx, 'bank', people));
        else found = JSON.stringify(await scans.eraseIdempotentAnswers(trx, 'bank', people));
      }
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  const u = process.cpuUsage(start);
  const clusterUs = postmaster === undefined ? 0 : (treeCpu(postmaster) - cluster) * 1e6;
  return { cpu: u.user + u.system + clusterUs, found };
}

if (totalMode) {
  await totals();
  process.exit(0);
}

/**
 * The jobs' scans of erasing every erasable customer, 500 a chunk after the last, each chunk rolled
 * back: without a walk (the old checkout's with `--old`), or with the walks a run makes. CPU µs.
 */
async function total(walking: boolean): Promise<{ cpu: number; found: string }> {
  const from = cpuNow();
  const found: string[] = [];
  let after: string | undefined;
  let walked: KeptMentions | undefined;
  let left = 0;
  for (;;) {
    if (walking && left === 0) {
      walked = await walkForErasable(db.db, 'bank', clock, 500 * RETENTION_WALK_CHUNKS, after, new Date());
      left = RETENTION_WALK_CHUNKS;
    }
    left--;
    const ids = await db.db
      .transaction()
      .execute(async (trx) => {
        const ids = await erasableSubjectIds(trx, 'bank', clock, 500, after);
        if (!ids.length) return ids;
        const { people, walkedWith } = await peopleOf(trx, ids, walked);
        const scans = !walking && old ? old : current;
        found.push(JSON.stringify(await scans.eraseFromJobs(trx, 'bank', people, walkedWith)));
        throw Object.assign(new Rollback(), { ids });
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
        return (e as Rollback & { ids: string[] }).ids;
      });
    if (!ids.length) break;
    after = ids[ids.length - 1];
  }
  return { cpu: cpuSince(from), found: found.join() };
}

async function totals() {
  const was = await total(false);
  const now = await total(true);
  if (was.found !== now.found) throw new Error(`with the walk found ${now.found}, without ${was.found}`);
  const cpu: { without: number[]; walked: number[] } = { without: [], walked: [] };
  for (let r = 0; r < rounds; r++)
    for (const walking of r % 2 === 0 ? [false, true] : [true, false]) cpu[walking ? 'walked' : 'without'].push((await total(walking)).cpu);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  console.log(
    JSON.stringify({
      dialect: pg ? 'postgres' : 'sqlite',
      n,
      erasable,
      jobs,
      simulationChunks,
      rounds,
      walkChunks: RETENTION_WALK_CHUNKS,
      totalMsWithout: cpu.without.map((x) => Math.round(x / 1000)),
      totalMsWalked: cpu.walked.map((x) => Math.round(x / 1000)),
      medianMsWithout: Math.round(median(cpu.without) / 1000),
      medianMsWalked: Math.round(median(cpu.walked) / 1000),
      old: oldRoot ?? null,
      load: loadavg().map((x) => x.toFixed(1)),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await db.close();
  await pg?.stop();
}

const sides: Side[] = [
  'walk',
  'walkedJobs',
  'scans',
  'chunk',
  'jobs',
  'rowErrors',
  'answers',
  ...(old ? (['oldJobs', 'oldRowErrors', 'oldAnswers'] as const) : []),
];
const cpu = new Map<Side, number[]>(sides.map((s) => [s, []]));
const found = new Map<Side, string | undefined>();
for (const side of sides) found.set(side, (await chunk(side)).found);
if (found.get('walkedJobs') !== found.get('jobs'))
  throw new Error(`jobs: found ${found.get('jobs')}, with the walk ${found.get('walkedJobs')}`);
if (old)
  for (const side of ['jobs', 'rowErrors', 'answers'] as const) {
    const was = found.get(`old${side[0]?.toUpperCase()}${side.slice(1)}` as Side);
    if (found.get(side) !== was) throw new Error(`${side}: found ${found.get(side)}, the old scan ${was}`);
  }
for (let r = 0; r < rounds; r++) {
  // Each round in another order: a neighbour's burst falls on each side alike.
  const order = r % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) cpu.get(side)?.push((await chunk(side)).cpu);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const ms = (side: Side) => (cpu.get(side)?.length ? Math.round(median(cpu.get(side) ?? []) / 1000) : undefined);
console.log(
  JSON.stringify({
    dialect: pg ? 'postgres' : 'sqlite',
    n,
    erasable,
    jobSubjects,
    jobs,
    errors,
    answers,
    simulationChunks,
    rounds,
    scansMsPerChunk: ms('scans'),
    chunkMsPerChunk: ms('chunk'),
    jobsMsPerChunk: ms('jobs'),
    oldJobsMsPerChunk: ms('oldJobs'),
    walkedJobsMsPerChunk: ms('walkedJobs'),
    walkMs: ms('walk'),
    rowErrorsMsPerChunk: ms('rowErrors'),
    oldRowErrorsMsPerChunk: ms('oldRowErrors'),
    answersMsPerChunk: ms('answers'),
    oldAnswersMsPerChunk: ms('oldAnswers'),
    found: Object.fromEntries(['jobs', 'rowErrors', 'answers'].map((s) => [s, found.get(s as Side)])),
    load: loadavg().map((x) => x.toFixed(1)),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await db.close();
await pg?.stop();
