import { sql } from 'kysely';
import type { JobChunkRow, JobRow } from '../schema.js';
import { chunks, isPostgres, rangeTenant, type Executor } from './executor.js';
import { nextWriteSeq, writeSeqOf } from './write-seq.js';

/*
 * The queue of background jobs and their chunks. Workers on any number of machines claim one
 * pending chunk at a time under a lease; on PostgreSQL the claim skips rows another worker holds
 * locked (FOR UPDATE SKIP LOCKED), on SQLite writers are serialized anyway. A chunk is marked done by
 * the transaction that writes its results (`completeChunk`), so it is applied exactly once.
 */

/** A range of a tenant's subjects (internal ids, both included) planned as one chunk. */
export interface PlannedChunk {
  readonly first: string;
  readonly last: string;
  readonly subjects: number;
}

/** Which subjects a job covers. */
export interface SubjectSelection {
  readonly kind?: string;
  /** Internal subject ids; absent: every subject (of `kind`). */
  readonly ids?: readonly string[];
}

/**
 * Cut the tenant's selected subjects, in id order, into ranges of at most `size`: one indexed
 * keyset query per chunk, so planning a million subjects reads ids only, a page at a time.
 */
export async function planSubjectChunks(
  db: Executor,
  tenantId: string,
  selection: SubjectSelection,
  size: number,
): Promise<PlannedChunk[]> {
  const out: PlannedChunk[] = [];
  if (selection.ids) {
    let ids = [...new Set(selection.ids)];
    // Both filters select: a job's total counts only subjects it will go through (its progress adds up).
    if (selection.kind) {
      const kept: string[] = [];
      for (const batch of chunks(ids)) {
        const rows = await db.selectFrom('subjects').select('id').where('id', 'in', batch).where('kind', '=', selection.kind).execute();
        for (const r of rows) kept.push(r.id);
      }
      ids = kept;
    }
    ids.sort();
    for (const batch of chunks(ids, size))
      out.push({ first: batch[0] as string, last: batch[batch.length - 1] as string, subjects: batch.length });
    return out;
  }
  let after: string | undefined;
  for (;;) {
    // By the id index: with `tenant_id = ?` SQLite sorts the whole tenant for every page.
    let q = db.selectFrom('subjects').select('id').where(rangeTenant(tenantId));
    if (selection.kind) q = q.where('kind', '=', selection.kind);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(size).execute();
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return out;
    out.push({ first: first.id, last: last.id, subjects: rows.length });
    if (rows.length < size) return out;
    after = last.id;
  }
}

/** What queueing a job stores. */
export interface NewJobInput {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: string;
  readonly params: unknown;
  readonly requestedBy: string;
  readonly scheduleKey?: string | null;
  readonly chunks: readonly PlannedChunk[];
  readonly now: string;
  /** A simulation's scheme and version: stored as columns so a version's simulations are read by index (listVersionSimulationJobs). */
  readonly simulationOf?: { readonly scheme: string; readonly version: number };
}

/**
 * Store a job and its chunks (status `running`, or `completed` at once when there is nothing to
 * do). A scheduled job whose slot is already queued is not stored again: returns false.
 */
export async function insertJob(db: Executor, job: NewJobInput): Promise<boolean> {
  const total = job.chunks.reduce((n, c) => n + c.subjects, 0);
  // Its place among metric writes, by the database (write-seq.ts): what the schedule compares, not clocks.
  const writeSeq = await nextWriteSeq(db);
  const inserted = await db
    .insertInto('jobs')
    .values({
      id: job.id,
      tenant_id: job.tenantId,
      kind: job.kind,
      status: job.chunks.length === 0 ? 'completed' : 'running',
      params: JSON.stringify(job.params),
      requested_by: job.requestedBy,
      schedule_key: job.scheduleKey ?? null,
      total_chunks: job.chunks.length,
      total_subjects: total,
      error: null,
      created_at: job.now,
      updated_at: job.now,
      finished_at: job.chunks.length === 0 ? job.now : null,
      write_seq: writeSeq,
      simulation_scheme: job.simulationOf?.scheme ?? null,
      simulation_version: job.simulationOf?.version ?? null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'schedule_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  const rows = job.chunks.map((c, seq) => ({
    job_id: job.id,
    seq,
    tenant_id: job.tenantId,
    first_subject: c.first,
    last_subject: c.last,
    subjects: c.subjects,
    status: 'pending',
    lease_owner: null,
    lease_expires_at: null,
    attempts: 0,
    result: null,
    finished_at: null,
  }));
  for (const batch of chunks(rows)) await db.insertInto('job_chunks').values(batch).execute();
  return true;
}

/** One job of a tenant. */
export async function findJob(db: Executor, tenantId: string, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** A tenant's jobs, newest first (ties by id), after the position `before`. */
export async function listJobs(
  db: Executor,
  tenantId: string,
  query: {
    status?: string;
    limit: number;
    before?: { createdAt: string; id: string };
    notKind?: string;
    /** Simulations of these schemes left out (the caller may not read their levels). */
    hiddenSimulations?: readonly string[];
  },
): Promise<JobRow[]> {
  let q = db.selectFrom('jobs').selectAll().where('tenant_id', '=', tenantId);
  if (query.status) q = q.where('status', '=', query.status);
  // In the query, not after it: a page left out after it reads short, or empty with a cursor.
  if (query.notKind) q = q.where('kind', '<>', query.notKind);
  const hidden = query.hiddenSimulations;
  if (hidden && hidden.length > 0) q = q.where((eb) => eb.or([eb('kind', '<>', 'simulate'), eb('simulation_scheme', 'not in', hidden)]));
  const before = query.before;
  if (before) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]),
    );
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}

/**
 * Where a job's chunks stand: how many are done, with the results of those that are, in chunk order
 * (a simulation's samples are the first subjects of each cell, in id order, as the synchronous one's).
 */
export async function jobChunkResults(db: Executor, jobId: string): Promise<{ done: number; results: string[] }> {
  const rows = await db
    .selectFrom('job_chunks')
    .select('result')
    .where('job_id', '=', jobId)
    .where('status', '=', 'done')
    .orderBy('seq')
    .execute();
  return { done: rows.length, results: rows.flatMap((r) => (r.result === null ? [] : [r.result])) };
}

/**
 * Move a job from one of the statuses `from` to `to`. Returns false when it was in none of them
 * (someone else moved it first).
 */
export async function setJobStatus(
  db: Executor,
  tenantId: string,
  id: string,
  from: readonly string[],
  to: string,
  now: string,
  error: string | null = null,
): Promise<boolean> {
  const terminal = to !== 'running';
  const r = await db
    .updateTable('jobs')
    .set({ status: to, updated_at: now, finished_at: terminal ? now : null, error })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A claimed chunk and the job it belongs to. */
export interface ClaimedChunk {
  readonly chunk: JobChunkRow;
  readonly job: JobRow;
  /** The lease this claim took over: another worker claimed the chunk and did not finish it before its lease ran out. */
  readonly takenOver?: { readonly owner: string; readonly expiredAt: string };
}

type ClaimedRow = JobChunkRow & { prev_owner: string | null; prev_expires: string | null };

/**
 * Lease the next pending chunk of a running job (oldest job first, a re-tier before any policy
 * simulation: a simulation only reads, and a bank's month must not wait behind someone's what-if) to
 * `owner` until `leaseUntil`:
 * one whose lease is free or has expired — a worker that died mid-chunk leaves its chunk to the
 * next claim after the lease, and the claim says whose lease it took over (`takenOver`).
 * Returns undefined when there is nothing to do.
 */
export async function claimChunk(db: Executor, owner: string, now: string, leaseUntil: string): Promise<ClaimedChunk | undefined> {
  const row = isPostgres(db) ? await claimOnPostgres(db, owner, now, leaseUntil) : await claimOnSqlite(db, owner, now, leaseUntil);
  if (!row) return undefined;
  const { prev_owner, prev_expires, ...chunk } = row;
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', chunk.job_id).executeTakeFirst();
  if (!job) return undefined;
  return {
    chunk: { ...chunk, seq: Number(chunk.seq), subjects: Number(chunk.subjects), attempts: Number(chunk.attempts) },
    job,
    ...(prev_owner !== null && prev_expires !== null ? { takenOver: { owner: prev_owner, expiredAt: prev_expires } } : {}),
  };
}

const NEXT_CHUNK = sql`c.status = 'pending' AND j.status = 'running'`;
const CLAIM_ORDER = sql`ORDER BY CASE WHEN j.kind = 'simulate' THEN 1 ELSE 0 END, j.created_at, c.job_id, c.seq`;

/** One statement: the row lock skips chunks other workers are claiming, and the lease it replaces comes back with the row. */
async function claimOnPostgres(db: Executor, owner: string, now: string, leaseUntil: string): Promise<ClaimedRow | undefined> {
  const claimed = await sql<ClaimedRow>`
    UPDATE job_chunks SET lease_owner = ${owner}, lease_expires_at = ${leaseUntil}, attempts = job_chunks.attempts + 1
    FROM (
      SELECT c.job_id, c.seq, c.lease_owner AS prev_owner, c.lease_expires_at AS prev_expires
      FROM job_chunks c JOIN jobs j ON j.id = c.job_id
      WHERE ${NEXT_CHUNK} AND (c.lease_expires_at IS NULL OR c.lease_expires_at < ${now})
      ${CLAIM_ORDER}
      LIMIT 1 FOR UPDATE OF c SKIP LOCKED
    ) p
    WHERE job_chunks.job_id = p.job_id AND job_chunks.seq = p.seq
    RETURNING job_chunks.*, p.prev_owner, p.prev_expires`.execute(db);
  return claimed.rows[0];
}

/**
 * SQLite's RETURNING cannot name the lease it replaced (nor a FROM table's columns), so the chunk is
 * read first and claimed by a compare-and-set: only if its lease is still the one read and its job still
 * running, in the one UPDATE statement (atomic on SQLite, whichever process or transaction runs it).
 * Another process that claimed the chunk in between makes this read again; a job cancelled in between
 * is not claimed from, as the single statement's subquery did before.
 */
async function claimOnSqlite(db: Executor, owner: string, now: string, leaseUntil: string): Promise<ClaimedRow | undefined> {
  for (;;) {
    const next = await sql<{ job_id: string; seq: number; prev_owner: string | null; prev_expires: string | null }>`
      SELECT c.job_id, c.seq, c.lease_owner AS prev_owner, c.lease_expires_at AS prev_expires
      FROM job_chunks c JOIN jobs j ON j.id = c.job_id
      WHERE ${NEXT_CHUNK} AND (c.lease_expires_at IS NULL OR c.lease_expires_at < ${now})
      ${CLAIM_ORDER}
      LIMIT 1`.execute(db);
    const found = next.rows[0];
    if (!found) return undefined;
    const claimed = await sql<JobChunkRow>`
      UPDATE job_chunks SET lease_owner = ${owner}, lease_expires_at = ${leaseUntil}, attempts = attempts + 1
      WHERE job_id = ${found.job_id} AND seq = ${found.seq} AND status = 'pending'
        AND lease_owner IS ${found.prev_owner} AND lease_expires_at IS ${found.prev_expires}
        AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_chunks.job_id AND j.status = 'running')
      RETURNING *`.execute(db);
    const chunk = claimed.rows[0];
    if (chunk) return { ...chunk, prev_owner: found.prev_owner, prev_expires: found.prev_expires };
  }
}

/**
 * Mark a leased chunk done with its result — inside the transaction that writes that result. Returns
 * false when the chunk is no longer this owner's to finish (its lease expired and another worker took
 * it, or the job was cancelled): the caller must then roll back its writes. On PostgreSQL the row
 * lock taken here makes a second finisher wait for the first and then find the chunk done.
 */
export async function completeChunk(
  db: Executor,
  jobId: string,
  seq: number,
  owner: string,
  result: string,
  now: string,
): Promise<boolean> {
  // On PostgreSQL a cancel waits for this transaction (and the chunk counts as done before it), or
  // this waits for the cancel and finds the job no longer running: never a chunk committed after it.
  const status = db.selectFrom('jobs').select('status').where('id', '=', jobId);
  const running = await (isPostgres(db) ? status.forShare() : status).executeTakeFirst();
  if (running?.status !== 'running') return false;
  const r = await db
    .updateTable('job_chunks')
    .set({ status: 'done', result, finished_at: now, lease_owner: null, lease_expires_at: null })
    .where('job_id', '=', jobId)
    .where('seq', '=', seq)
    .where('status', '=', 'pending')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Give a chunk back (its work failed or was abandoned) so that another claim may take it at once.
 * `unused`: it was claimed but never run (claimed ahead of a stop), so its claim does not count
 * towards the attempts that fail a job.
 */
export async function releaseChunk(db: Executor, jobId: string, seq: number, owner: string, unused = false): Promise<boolean> {
  const r = await db
    .updateTable('job_chunks')
    .set({
      lease_owner: null,
      lease_expires_at: null,
      ...(unused ? { attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end` } : {}),
    })
    .where('job_id', '=', jobId)
    .where('seq', '=', seq)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  // False when the chunk was not this owner's to give back (done, or taken over).
  return Number(r.numUpdatedRows) > 0;
}

/** A job just recorded completed: what its caller needs to finish it (a re-tier's month, jobs/complete-job.ts). */
export interface CompletedJob {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: string;
  /** As stored (JSON). */
  readonly params: string;
}

const COMPLETED = ['id', 'tenant_id', 'kind', 'params'] as const;

function completedOf(r: Pick<JobRow, (typeof COMPLETED)[number]>): CompletedJob {
  return { id: r.id, tenantId: r.tenant_id, kind: r.kind, params: r.params };
}

/**
 * Mark a running job completed when none of its chunks is pending. Returns it when it did, undefined
 * otherwise. On PostgreSQL the update locks the job's row: a second worker completing the same job at
 * the same moment waits for the first to commit, then finds it no longer running and completes nothing,
 * so what the caller does in the same transaction is done once.
 */
export async function completeJobIfDone(db: Executor, jobId: string, now: string): Promise<CompletedJob | undefined> {
  const r = await db
    .updateTable('jobs')
    .set({ status: 'completed', updated_at: now, finished_at: now })
    .where('id', '=', jobId)
    .where('status', '=', 'running')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('job_chunks')
            .select(eb.lit(1).as('one'))
            .where('job_chunks.job_id', '=', jobId)
            .where('job_chunks.status', '=', 'pending'),
        ),
      ),
    )
    .returning(COMPLETED)
    .executeTakeFirst();
  return r ? completedOf(r) : undefined;
}

/**
 * The running jobs none of whose chunks is pending, read without changing them. A job is completed by
 * the worker that committed its last chunk, in a transaction of its own after that commit; when that
 * failed (SQLite busy, the database gone, the process killed), nothing else would ever complete the
 * job — no chunk is left to claim — and it stayed `running` for good. A worker that finds nothing to
 * claim completes each of these with {@link completeJobIfDone}, one transaction per job: completing
 * them all in one statement made one job whose completion throws (a re-tier whose month cannot be
 * marked) roll back every tenant's, on every poll.
 */
export async function listFinishedJobIds(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where('status', '=', 'running')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('job_chunks')
            .select(eb.lit(1).as('one'))
            .whereRef('job_chunks.job_id', '=', 'jobs.id')
            .where('job_chunks.status', '=', 'pending'),
        ),
      ),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A pending chunk held under a lease (which may have expired: its worker is then presumed gone). */
export interface ChunkLease {
  readonly seq: number;
  readonly owner: string;
  readonly expiresAt: string;
}

/** The leases on a job's pending chunks, the latest to expire first. */
export async function listChunkLeases(db: Executor, jobId: string): Promise<ChunkLease[]> {
  const rows = await db
    .selectFrom('job_chunks')
    .select(['seq', 'lease_owner', 'lease_expires_at'])
    .where('job_id', '=', jobId)
    .where('status', '=', 'pending')
    .where('lease_owner', 'is not', null)
    .orderBy('lease_expires_at', 'desc')
    .execute();
  return rows.flatMap((r) =>
    r.lease_owner === null || r.lease_expires_at === null
      ? []
      : [{ seq: Number(r.seq), owner: r.lease_owner, expiresAt: r.lease_expires_at }],
  );
}

/** Let a resumed job's pending chunks be tried afresh (a failed job stopped after too many attempts). */
export async function resetChunkAttempts(db: Executor, jobId: string): Promise<void> {
  await db.updateTable('job_chunks').set({ attempts: 0 }).where('job_id', '=', jobId).where('status', '=', 'pending').execute();
}

/**
 * The newest of the tenant's jobs queued under `scheduleKey` or a key `scheduleKey#…` (a month's
 * re-runs after corrections, `monthly:2026-11#w<write number>`): id, status, key and when it was queued.
 * A month has a handful of them, found by jobs_tenant_schedule_uq: the re-runs as a key range
 * (`#` to `$`, the next character) rather than LIKE, which neither SQLite (case-insensitive LIKE)
 * nor PostgreSQL (a non-C collation) answers from the index, and where `_` in a key would match any character.
 */
export async function findNewestScheduledJob(
  db: Executor,
  tenantId: string,
  scheduleKey: string,
): Promise<
  | {
      readonly id: string;
      readonly status: string;
      readonly createdAt: string;
      readonly writeSeq: number | null;
      readonly scheduleKey: string;
    }
  | undefined
> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'status', 'created_at', 'write_seq', 'schedule_key'])
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([
        eb('schedule_key', '=', scheduleKey),
        eb.and([eb('schedule_key', '>=', `${scheduleKey}#`), eb('schedule_key', '<', `${scheduleKey}$`)]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  // Newest in the database's write order where kept (hosts' clocks may disagree), else by time.
  let newest: { id: string; status: string; createdAt: string; writeSeq: number | null; scheduleKey: string } | undefined;
  for (const r of rows) {
    const job = {
      id: r.id,
      status: r.status,
      createdAt: r.created_at,
      writeSeq: writeSeqOf(r.write_seq),
      scheduleKey: r.schedule_key ?? scheduleKey,
    };
    if (newest === undefined || queuedAfter(job, newest)) newest = job;
  }
  return newest;
}

/**
 * The tenant's jobs queued without a schedule key at or after `since` (ISO), newest first: the
 * candidates for a month's job started by hand (the schedule reads their params to pick the
 * whole-book ones). A month's end is recent, so this is a handful of rows by jobs_tenant_created_idx.
 */
export async function listUnscheduledJobsSince(
  db: Executor,
  tenantId: string,
  since: string,
): Promise<
  readonly {
    readonly id: string;
    readonly status: string;
    readonly params: string;
    readonly requestedBy: string;
    readonly createdAt: string;
    readonly writeSeq: number | null;
  }[]
> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'status', 'params', 'requested_by', 'created_at', 'write_seq'])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', since)
    .where('schedule_key', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    params: r.params,
    requestedBy: r.requested_by,
    createdAt: r.created_at,
    writeSeq: writeSeqOf(r.write_seq),
  }));
}

/**
 * Whether job `a` was queued after job `b`: by the database's write order when both have one (the
 * hosts that queued them may disagree on the time), else by when they were queued, then by id.
 */
export function queuedAfter(
  a: { readonly writeSeq: number | null; readonly createdAt: string; readonly id: string },
  b: { readonly writeSeq: number | null; readonly createdAt: string; readonly id: string },
): boolean {
  if (a.writeSeq !== null && b.writeSeq !== null) return a.writeSeq > b.writeSeq;
  if (a.writeSeq !== null || b.writeSeq !== null) return a.writeSeq !== null;
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

/** The job queue as monitoring sees it, over every tenant: counts and ages only. */
export interface JobQueueHealth {
  /** Chunks of running jobs that a worker could claim now: never leased, given back, or their lease expired. */
  readonly waitingChunks: number;
  /** When the oldest running job with a waiting chunk was queued (ISO-8601), or null when none waits. */
  readonly oldestWaitingSince: string | null;
  /** Chunks a worker holds a lease on that has not expired: some worker claimed or renewed it within its lease time. */
  readonly leasedChunks: number;
  /** When a chunk of a running job was last finished (ISO-8601), or null. */
  readonly lastChunkDoneAt: string | null;
}

/**
 * What `/healthz` says of the queue, from the job and chunk tables alone: a queued job with no worker
 * left to claim it shows as waiting chunks getting older with no lease held, which nothing else
 * reported while the API itself stayed healthy. Reads only running jobs' chunks (jobs_status_idx, then
 * each job's chunks by its key), so finished history never makes the probe slower.
 */
export async function jobQueueHealth(db: Executor, now: string): Promise<JobQueueHealth> {
  const rows = await db
    .selectFrom('job_chunks as c')
    .innerJoin('jobs as j', 'j.id', 'c.job_id')
    .where('j.status', '=', 'running')
    .select((eb) => [
      eb.fn
        .count<number | string>('c.seq')
        .filterWhere((w) =>
          w.and([w('c.status', '=', 'pending'), w.or([w('c.lease_expires_at', 'is', null), w('c.lease_expires_at', '<', now)])]),
        )
        .as('waiting'),
      eb.fn
        .min<string | null>('j.created_at')
        .filterWhere((w) =>
          w.and([w('c.status', '=', 'pending'), w.or([w('c.lease_expires_at', 'is', null), w('c.lease_expires_at', '<', now)])]),
        )
        .as('oldest'),
      eb.fn
        .count<number | string>('c.seq')
        .filterWhere((w) => w.and([w('c.status', '=', 'pending'), w('c.lease_expires_at', '>=', now)]))
        .as('leased'),
      eb.fn.max<string | null>('c.finished_at').as('lastDone'),
    ])
    .executeTakeFirst();
  return {
    waitingChunks: Number(rows?.waiting ?? 0),
    oldestWaitingSince: rows?.oldest ?? null,
    leasedChunks: Number(rows?.leased ?? 0),
    lastChunkDoneAt: rows?.lastDone ?? null,
  };
}
