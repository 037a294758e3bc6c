import { hostname } from 'node:os';
import {
  BUSY_WAIT_MS,
  claimChunk,
  isDatabaseBusy,
  completeChunk,
  isDatabaseUnreachable,
  releaseChunk,
  setJobStatus,
  sqliteFile,
  startBackgroundCheckpoints,
  type ClaimedChunk,
  type Executor,
  watchOutage,
} from '@tierkit/db';
import { randomBytes } from 'node:crypto';
import { TenantPacks } from '../tenant-pack.js';
import { subjectsWritten } from '../../version-trust.js';
import { sleep } from '../../sleep.js';
import { ChangeWatch, type ChangeMark } from './change-watch.js';
import { completeFinishedJobs, completeJobIfFinished } from './complete-job.js';
import { Preparer, type PrepareReply } from './preparer.js';
import { applyPreparedChunk, rangeAfter, retierChunk, withEventIds } from './retier-chunk.js';
import { sumTotals, type RetierParams, type RetierTotals } from './retier-params.js';
import { runSimulationChunk } from './simulation-job.js';
import { logError as writeError, logWarn as writeWarn, type LogFields } from '../../log.js';

/** The log's error line, one function for the process: what is said once per logger (complete-job.ts) stays said across polls. */
const logWorkerError = (e: unknown) => writeError('tierkit worker:', e);

/**
 * A claim that took a chunk over from an expired lease, said at warn: its worker died, hung or lost the
 * database for longer than its lease, and the operator should know which and since when. Ids only.
 */
function reportTakeover(options: WorkerOptions, claimed: ClaimedChunk, owner: string): void {
  if (!claimed.takenOver) return;
  const { chunk, job, takenOver } = claimed;
  (options.logWarn ?? writeWarn)(
    `worker ${owner}: took over chunk ${chunk.seq} of job ${job.id} (tenant ${job.tenant_id}): the lease of ${takenOver.owner} expired at ${takenOver.expiredAt}`,
    { job: job.id, chunk: chunk.seq, tenant: job.tenant_id, previousOwner: takenOver.owner, leaseExpiredAt: takenOver.expiredAt },
  );
}

/** How long a claimed chunk stays a worker's: past it, another worker takes the chunk over. */
export const DEFAULT_LEASE_MS = 60_000;
/** Claims of one chunk before its job is marked failed (a chunk that keeps failing is a fault to look at). */
export const MAX_CHUNK_ATTEMPTS = 3;

export interface WorkerOptions {
  readonly db: Executor;
  /** Compiled packs, shared with an app in the same process when there is one. */
  readonly packs?: TenantPacks;
  /** The bank's calendar (`TIERKIT_TIME_ZONE`) when `packs` is not given. Default `DEFAULT_TIME_ZONE`. */
  readonly timeZone?: string;
  /** Names this worker in leases; default host, process id and a random suffix. */
  readonly owner?: string;
  readonly leaseMs?: number;
  /** Pause when there is nothing to do. Default 1 s. */
  readonly pollMs?: number;
  readonly now?: () => Date;
  /** Stops the loop of {@link runWorker} (after the chunk in progress). */
  readonly signal?: AbortSignal;
  /** Told after every chunk this worker commits; `pipelined` when it stored what the prepare thread computed. */
  readonly onChunk?: (done: { jobId: string; seq: number; totals: RetierTotals; pipelined?: boolean }) => void;
  /** Where a failed chunk is reported. Default an error line of the process's log (log.ts). */
  readonly logError?: (err: unknown) => void;
  /** Where a chunk taken over from an expired lease is reported. Default a warn line of the process's log. */
  readonly logWarn?: (msg: string, fields: LogFields) => void;
  /**
   * On a SQLite file, prepare the next chunk on a thread while the current one is written (default
   * on); false runs every chunk start to end in its transaction, as on PostgreSQL.
   */
  readonly pipeline?: boolean | PipelineOptions;
}

/** How {@link drainJobs} and {@link runWorker} pipeline chunks on SQLite (tests and benches tune it). */
export interface PipelineOptions {
  /** Start the thread only for a job with at least this many chunks left. Default {@link PIPELINE_MIN_CHUNKS}. */
  readonly minChunks?: number;
  /** Wait for the thread to start instead of running chunks the ordinary way meanwhile. Default false. */
  readonly awaitThread?: boolean;
  /** The fraction of each chunk the thread prepares. Default {@link PREPARED_SHARE}. */
  readonly share?: number;
  /** How many chunks are claimed and sent to the thread ahead of the one being written. Default {@link PIPELINE_DEPTH}. */
  readonly depth?: number;
  /**
   * Called before a chunk's write transaction, after its preparation (tests: a write at that moment);
   * `ahead` resolves when the chunks claimed ahead, if any, have been prepared.
   * @internal
   */
  readonly beforeApply?: (chunk: { jobId: string; seq: number; prepared: boolean; ahead: Promise<void> }) => Promise<void> | void;
}

/** The packs a worker compiles when its caller shares none. */
function packsFor(options: WorkerOptions): TenantPacks {
  return new TenantPacks(undefined, undefined, options.timeZone);
}

/** A worker name unique across processes and machines. */
export function workerName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Thrown inside a chunk's transaction to roll it back when the chunk is no longer ours to finish. */
class ChunkTakenOver extends Error {}

/**
 * Claim and run one chunk. Returns false when there was nothing to claim. The chunk's writes and its
 * `done` mark commit together: a worker killed at any point leaves the chunk pending, and after its
 * lease another worker runs it from the start.
 */
export async function workOnce(
  options: WorkerOptions,
  packs = options.packs ?? packsFor(options),
  owner = options.owner ?? workerName(),
): Promise<boolean> {
  const { db } = options;
  const clock = options.now ?? (() => new Date());
  const now = clock();
  const claimed = await claimChunk(
    db,
    owner,
    now.toISOString(),
    new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS)).toISOString(),
  );
  if (!claimed) {
    const log = options.logError ?? logWorkerError;
    await completeFinishedJobs(db, packs, now.toISOString(), (fn) => db.transaction().execute(fn), log);
    return false;
  }
  reportTakeover(options, claimed, owner);
  const { chunk, job } = claimed;
  if (chunk.attempts > MAX_CHUNK_ATTEMPTS) {
    await failJob(db, claimed, owner, now);
    return true;
  }
  if (job.kind === 'simulate') {
    await simulateClaimed(options, packs, claimed, owner, clock, (fn) => db.transaction().execute(fn));
    return true;
  }
  try {
    const tp = await packs.get(db, job.tenant_id);
    const params = JSON.parse(job.params) as RetierParams;
    const totals = await db.transaction().execute(async (trx) => {
      const at = clock();
      const t = await retierChunk(trx, tp, params, { first: chunk.first_subject, last: chunk.last_subject }, at, `job:${job.id}`);
      if (!(await completeChunk(trx, job.id, chunk.seq, owner, JSON.stringify(t), at.toISOString()))) throw new ChunkTakenOver();
      return t;
    });
    subjectsWritten();
    busyChunks.delete(chunkKey(claimed));
    await completeJob(options, packs, (fn) => db.transaction().execute(fn), job.id, clock);
    options.onChunk?.({ jobId: job.id, seq: chunk.seq, totals });
  } catch (err) {
    if (err instanceof ChunkTakenOver) await giveBackCancelled(db, claimed, owner);
    else await chunkFailed(options, claimed, owner, err);
  }
  return true;
}

/**
 * Run a claimed chunk of a policy simulation (simulation-job.ts): planned read-only, outside any
 * transaction of the worker's, so it holds no customer a re-tier would wait for; only its own row is
 * written, by `write`. Simulation chunks share the workers and the queue with re-tiers, and are claimed
 * after every pending re-tier chunk (`claimChunk`).
 */
async function simulateClaimed(
  options: WorkerOptions,
  packs: TenantPacks,
  claimed: ClaimedChunk,
  owner: string,
  clock: () => Date,
  write: (fn: (trx: Executor) => Promise<boolean>) => Promise<boolean>,
): Promise<void> {
  const { chunk, job } = claimed;
  try {
    const totals = await runSimulationChunk(options.db, claimed, owner, clock, write);
    if (!totals) {
      await giveBackCancelled(options.db, claimed, owner);
      return;
    }
    busyChunks.delete(chunkKey(claimed));
    await completeJob(options, packs, write, job.id, clock);
    options.onChunk?.({ jobId: job.id, seq: chunk.seq, totals });
  } catch (err) {
    await chunkFailed(options, claimed, owner, err);
  }
}

/**
 * Chunks a job must have left for a drain to start its prepare thread. The thread takes about a second
 * to start under tsx and 1–1.5 s of CPU (it loads and compiles its modules), while chunks run the
 * ordinary way beside it: at 100 chunks (100,000 customers) that cost ate the gain — first re-tier
 * 3.3–4.5 s against 3.3–3.5 s without, monthly 4.0–5.1 against 4.5–5.0 —, at 1,000 it was 20% less
 * wall time (BENCHMARKS.md, retier-speed-5).
 */
export const PIPELINE_MIN_CHUNKS = 200;

/**
 * The fraction of a chunk's subjects the thread prepares; this thread re-tiers the rest inside the
 * write transaction, after storing the prepared part. Preparing (reads, evaluation, serialization) is
 * about 70% of a chunk's work and storing 30% (100,000-customer book), so with the whole chunk on the
 * thread this thread waited for it; 0.7 gives both about the same work.
 */
export const PREPARED_SHARE = 0.7;

/** Chunks claimed ahead of the one being written (see {@link PipelineOptions.depth}); measured below. */
export const PIPELINE_DEPTH = 1;

/**
 * A chunk rolled back because its job was cancelled under it is given back at once, its claim not
 * counted: kept, a resume would wait out the whole lease before any worker could take the chunk, and
 * each cancel would count as a failed attempt, so a job cancelled and resumed three times mid-chunk
 * failed ("chunk 0 failed 3 times") with nothing wrong. A chunk another worker took over after the
 * lease ran out is no longer this owner's, and this changes nothing.
 */
async function giveBackCancelled(db: Executor, { chunk, job }: ClaimedChunk, owner: string): Promise<void> {
  await releaseChunk(db, job.id, chunk.seq, owner, true);
}

/**
 * Complete the job of a chunk just committed, when that was its last, in a transaction of its own
 * (`write`) that also moves a month-end re-tier's month (complete-job.ts). The chunk is stored whatever
 * happens here, so a failure is not the chunk's: it is neither given back nor counted. SQLite busy is
 * tried again a few times; past that, or on any other error, the job is left to the next worker that
 * finds nothing to claim (`completeFinishedJobs`) — before, it stayed `running` for good while
 * the log said the chunk was "retried — nothing lost".
 */
async function completeJob(
  options: WorkerOptions,
  packs: TenantPacks,
  write: (fn: (ex: Executor) => Promise<boolean>) => Promise<boolean>,
  jobId: string,
  clock: () => Date,
): Promise<void> {
  const log = options.logError ?? logWorkerError;
  for (let tries = 1; ; tries++) {
    try {
      await write((ex) => completeJobIfFinished(ex, packs, clock().toISOString(), jobId));
      return;
    } catch (err) {
      if (isDatabaseBusy(err) && tries < BUSY_RELEASE_TRIES) continue;
      if (watchOutage(options.db, log).failed(err)) return;
      const why = isDatabaseBusy(err) ? `database busy (another process held the write lock over ${BUSY_WAIT_MS / 1000} s)` : String(err);
      log(`job ${jobId}: chunk stored, but marking the job completed failed: ${why}; the next worker with nothing to claim completes it`);
      return;
    }
  }
}

/**
 * Chunks given back because of SQLite busy, by `jobId:seq`: when the first was and how many. Kept
 * apart from the attempts (a busy wait is no fault of the chunk) but not unbounded: a lock held for
 * good (a stuck process beside the server) used to make the worker claim, wait 5 s and give back the
 * chunk forever, a log line every 6 s. Per process: a chunk that moves to another worker starts anew.
 */
const busyChunks = new Map<string, { since: number; count: number; logged: number }>();

/** Busy give-backs of one chunk, or minutes since its first, after which its job is failed saying why. */
export const MAX_BUSY_GIVE_BACKS = 20;
export const MAX_BUSY_MS = 10 * 60_000;

function chunkKey({ chunk, job }: ClaimedChunk): string {
  return `${job.id}:${chunk.seq}`;
}

/**
 * A chunk whose transaction failed: it rolled back, so nothing of the chunk was written, and the chunk
 * is given back for a claim (this worker's next, usually) to run it again.
 *
 * SQLITE_BUSY (another process — a CLI re-tier or import beside the server — held the file's write
 * lock past `BUSY_WAIT_MS`) is no fault of the chunk: it is given back as unused, so it does not count
 * towards the {@link MAX_CHUNK_ATTEMPTS} that fail a job (three busy waits used to fail a whole
 * re-tier); busy give-backs are counted apart ({@link MAX_BUSY_GIVE_BACKS}, {@link MAX_BUSY_MS}).
 * The first is logged as one line, then one line a minute while it lasts. An unreachable database is
 * no fault of the chunk either: logged once per outage (watchOutage), the chunk given back unused when
 * the database lets it (else its lease expires).
 */
async function chunkFailed(options: WorkerOptions, claimed: ClaimedChunk, owner: string, err: unknown): Promise<void> {
  const { db } = options;
  const { chunk, job } = claimed;
  const log = options.logError ?? logWorkerError;
  if (isDatabaseBusy(err)) {
    const key = chunkKey(claimed);
    const now = Date.now();
    const busy = busyChunks.get(key) ?? { since: now, count: 0, logged: 0 };
    busy.count++;
    busyChunks.set(key, busy);
    const minutes = Math.floor((now - busy.since) / 60_000);
    if (busy.count > MAX_BUSY_GIVE_BACKS || now - busy.since >= MAX_BUSY_MS) {
      busyChunks.delete(key);
      const why = `chunk ${chunk.seq}: database busy ${busy.count} times over ${minutes} min (another process held the write lock)`;
      await setJobStatus(db, job.tenant_id, job.id, ['running'], 'failed', new Date().toISOString(), why);
      await releaseChunk(db, job.id, chunk.seq, owner, true);
      log(`${job.id} failed: ${why}`);
      return;
    }
    // The give-back needs the write lock too: it waits for it as long again, a few times over, before
    // leaving the chunk to its lease.
    let released = false;
    for (let tries = 1; ; tries++) {
      try {
        released = await releaseChunk(db, job.id, chunk.seq, owner, true);
        break;
      } catch (e) {
        if (!isDatabaseBusy(e) || tries >= BUSY_RELEASE_TRIES) throw e;
      }
    }
    if (busy.count === 1)
      log(
        `chunk ${chunk.seq} of ${job.id}: database busy (another process held the write lock over ${BUSY_WAIT_MS / 1000} s), ${released ? 'given back to be retried — nothing lost' : "no longer this worker's"}`,
      );
    else if (minutes > busy.logged) {
      busy.logged = minutes;
      log(`chunk ${chunk.seq} of ${job.id}: database still busy after ${minutes} min (${busy.count} tries)`);
    }
    return;
  }
  const unreachable = isDatabaseUnreachable(err);
  if (!watchOutage(db, log).failed(err)) log(chunkFailure(claimed, err));
  await releaseChunk(db, job.id, chunk.seq, owner, unreachable);
}

/**
 * A chunk's failure as the log should say it at 3 a.m.: which chunk of which job of which tenant, and
 * why (the error's own message and code; its stack as the cause). Ids only: a tenant, job and chunk
 * name no customer. The CLI's worker prints one line of it, the server its stack.
 */
function chunkFailure({ chunk, job }: ClaimedChunk, err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  const failure = new Error(`chunk ${chunk.seq} of job ${job.id} (tenant ${job.tenant_id}) failed: ${why}`, { cause: err });
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' ? Object.assign(failure, { code }) : failure;
}

/** How many times giving back a chunk refused with SQLITE_BUSY is tried (each waits `BUSY_WAIT_MS`). */
const BUSY_RELEASE_TRIES = 3;

/** A chunk claimed more than {@link MAX_CHUNK_ATTEMPTS} times fails its job and is given back. */
async function failJob(db: Executor, { chunk, job }: ClaimedChunk, owner: string, now: Date): Promise<void> {
  await setJobStatus(
    db,
    job.tenant_id,
    job.id,
    ['running'],
    'failed',
    now.toISOString(),
    `chunk ${chunk.seq} failed ${MAX_CHUNK_ATTEMPTS} times`,
  );
  await releaseChunk(db, job.id, chunk.seq, owner);
}

/** Run chunks until none is left to claim (tests, `tierkit retier` without a server). Returns how many were claimed. */
export async function drainJobs(options: WorkerOptions): Promise<number> {
  const packs = options.packs ?? packsFor(options);
  const owner = options.owner ?? workerName();
  const checkpoints = new Checkpoints(options.db);
  try {
    return await drain(options, packs, owner, checkpoints);
  } finally {
    await checkpoints.stop();
  }
}

/** {@link drainJobs} with the caller's packs, name and checkpoint thread: pipelined on a SQLite file. */
async function drain(options: WorkerOptions, packs: TenantPacks, owner: string, checkpoints: Checkpoints): Promise<number> {
  const file = options.pipeline === false ? undefined : await sqliteFile(options.db);
  if (file) return pipeline(options, packs, owner, checkpoints, file);
  let n = 0;
  while (!options.signal?.aborted && (await workOnce(options, packs, owner))) {
    n++;
    await checkpoints.start();
    // SQLite answers without I/O waits: let a server running this in-process answer between chunks.
    await new Promise((r) => setImmediate(r));
  }
  return n;
}

/** A claimed chunk whose preparation on the thread is under way. */
interface Pending {
  readonly claimed: ClaimedChunk;
  readonly params: RetierParams;
  /** Absent when the chunk was not sent to the thread. */
  readonly mark?: ChangeMark;
  readonly now: Date;
  readonly reply: Promise<PrepareReply>;
}

/**
 * Chunks in a pipeline of two: while chunk N is written and committed on this thread, the preparer
 * reads and evaluates chunk N+1 on its own connection. Chunk N+1 is claimed before N is written, so
 * its lease runs meanwhile (a chunk takes well under a second of a 60 s lease); a stop leaves it
 * released, a crash leaves it to expire. Whatever the preparer could not do well — a failure, a chunk
 * needing sign-offs, a database changed by anyone else since the chunk's reads began — runs the
 * ordinary way inside the write transaction. Returns how many chunks it claimed.
 */
async function pipeline(
  options: WorkerOptions,
  packs: TenantPacks,
  owner: string,
  checkpoints: Checkpoints,
  file: string,
): Promise<number> {
  const { db } = options;
  const clock = options.now ?? (() => new Date());
  // What is not a failed chunk: the chunk it is about still runs, in its transaction.
  const logNotice = options.logError ?? logWorkerError;
  const watch = new ChangeWatch(db);
  const tuning = typeof options.pipeline === 'object' ? options.pipeline : {};
  // Started on a claim, so an idle worker holds no thread; chunks run the ordinary way while it starts.
  let preparer: Preparer | undefined;
  let n = 0;

  /** Claim a chunk; `writing` are the chunks this thread writes before it, while it is prepared. */
  const claimNext = async (writing: readonly ClaimedChunk[]): Promise<Pending | undefined> => {
    for (;;) {
      if (options.signal?.aborted) return undefined;
      const now = clock();
      const claimed = await watch.write(async (trx) => {
        const c = await claimChunk(
          trx,
          owner,
          now.toISOString(),
          new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS)).toISOString(),
        );
        return c;
      });
      if (!claimed) {
        // Nothing to claim: a job whose last chunk committed but whose completion failed is completed
        // here, each in a write of its own after the claim's, so one that throws holds back no other.
        await completeFinishedJobs(db, packs, now.toISOString(), (fn) => watch.write(fn), logNotice);
        return undefined;
      }
      n++;
      await checkpoints.start();
      reportTakeover(options, claimed, owner);
      const { chunk, job } = claimed;
      if (chunk.attempts > MAX_CHUNK_ATTEMPTS) {
        await watch.write((trx) => failJob(trx, claimed, owner, now));
        continue;
      }
      const params = JSON.parse(job.params) as RetierParams;
      // A simulation's chunk only reads: nothing to prepare on the thread (applyPending runs it).
      if (job.kind === 'simulate') return { claimed, params, now, reply: Promise.resolve(NOT_PREPARED) };
      if (!preparer && Number(job.total_chunks) - chunk.seq >= (tuning.minChunks ?? PIPELINE_MIN_CHUNKS)) {
        preparer = Preparer.start(file, logNotice);
        if (tuning.awaitThread) await preparer.whenReady();
      }
      if (!preparer?.ready || !writing.every((w) => readsApart(claimed, w)))
        return { claimed, params, now, reply: Promise.resolve(NOT_PREPARED) };
      // Taken before the thread's reads begin, so that any write after it is seen at the check.
      const mark = await watch.mark();
      const reply = preparer.prepare({
        tenantId: job.tenant_id,
        params,
        range: { first: chunk.first_subject, last: chunk.last_subject },
        now: now.toISOString(),
        actor: `job:${job.id}`,
        share: tuning.share ?? PREPARED_SHARE,
        timeZone: packs.timeZone,
      });
      return { claimed, params, mark, now, reply };
    }
  };

  // Chunks claimed and sent to the thread, in the order they are written.
  const ahead: Pending[] = [];
  const depth = Math.max(1, Math.floor(tuning.depth ?? PIPELINE_DEPTH));
  try {
    const first = await claimNext([]);
    if (first) ahead.push(first);
    while (ahead.length > 0 && !options.signal?.aborted) {
      const current = ahead.shift() as Pending;
      let reply: PrepareReply;
      try {
        reply = await current.reply;
        // SQLite answers without I/O waits: a turn of the event loop lets the thread's messages (its
        // start first) and a server running this in-process be heard between chunks.
        await new Promise((r) => setImmediate(r));
        // Claimed ahead only for the thread to prepare: without a thread it would be a second lease
        // for nothing (left to expire after a crash) and an attempt used.
        while (preparer?.ready && ahead.length < depth) {
          const next = await claimNext([current.claimed, ...ahead.map((p) => p.claimed)]);
          if (!next) break;
          ahead.push(next);
        }
      } catch (err) {
        await releaseChunk(db, current.claimed.job.id, current.claimed.chunk.seq, owner, true);
        throw err;
      }
      await applyPending(current, reply, ahead);
      if (ahead.length === 0) {
        const next = await claimNext([]);
        if (next) ahead.push(next);
      }
    }
  } finally {
    try {
      // Claimed but not to be written: given back at once rather than after their leases.
      for (const p of ahead) await releaseChunk(db, p.claimed.job.id, p.claimed.chunk.seq, owner, true);
    } finally {
      // Also when a release fails: runWorker's next drain would start another thread.
      await preparer?.stop();
    }
  }
  return n;

  async function applyPending(pending: Pending, reply: PrepareReply, ahead: readonly Pending[]): Promise<void> {
    const { chunk, job } = pending.claimed;
    if (job.kind === 'simulate') {
      await simulateClaimed(options, packs, pending.claimed, owner, clock, (fn) => watch.write((trx) => fn(trx)));
      return;
    }
    if (reply.error !== undefined)
      logNotice(new Error(`preparing chunk ${chunk.seq} of ${job.id} on the thread failed; it runs in its transaction: ${reply.error}`));
    try {
      const tp = await packs.get(db, job.tenant_id);
      await tuning.beforeApply?.({
        jobId: job.id,
        seq: chunk.seq,
        prepared: reply !== NOT_PREPARED,
        ahead: Promise.all(ahead.map((p) => p.reply)).then(() => undefined),
      });
      let pipelined = false;
      const totals = await watch.write(async (trx, unchanged) => {
        // Prepared under other policy versions than `tp` (the writer's are cached, the thread's read
        // fresh): storing it beside the rest re-tiered under `tp` would mix two policies in a chunk.
        const prepared = unchanged && reply.error === undefined && reply.fingerprint === tp.fingerprint ? reply.prepared : null;
        pipelined = prepared !== null;
        const stored = clock();
        // The thread evaluated at the claim: the rest of the chunk too, so that the chunk sees one
        // instant (an override expiring in between would count for part of it). Nothing was written
        // for its subjects since the claim (the change check, `readsApart`); event ids are drawn now.
        const at = prepared ? pending.now : stored;
        const range = { first: chunk.first_subject, last: chunk.last_subject };
        const actor = `job:${job.id}`;
        let t: RetierTotals;
        if (!prepared) t = await retierChunk(trx, tp, pending.params, range, at, actor);
        else {
          t = await applyPreparedChunk(trx, job.tenant_id, withEventIds(prepared, stored));
          // The rest of the chunk, re-tiered here as a chunk always was (subject by subject, the same rules).
          if (prepared.upTo !== undefined)
            t = sumTotals([t, await retierChunk(trx, tp, pending.params, rangeAfter(range, prepared.upTo), at, actor, stored)]);
        }
        if (!(await completeChunk(trx, job.id, chunk.seq, owner, JSON.stringify(t), stored.toISOString()))) throw new ChunkTakenOver();
        return t;
      }, pending.mark);
      subjectsWritten();
      busyChunks.delete(chunkKey(pending.claimed));
      await completeJob(options, packs, (fn) => watch.write(fn), job.id, clock);
      options.onChunk?.({ jobId: job.id, seq: chunk.seq, totals, pipelined });
    } catch (err) {
      if (err instanceof ChunkTakenOver) await giveBackCancelled(db, pending.claimed, owner);
      else await chunkFailed(options, pending.claimed, owner, err);
    }
  }
}

/**
 * Whether chunk `next` may be prepared while this thread writes chunk `writing`: the change check
 * counts this worker's own writes as harmless, which holds only when they touch none of the subjects
 * `next` reads. Chunks of one job never share a subject; chunks of two jobs of one tenant may (a job
 * for a few subjects queued behind a full one, a dead worker's chunks re-claimed between another
 * job's, a cancelled job resumed): then `next` runs in its transaction. Ranges compare as SQLite
 * compares ids (bytes of UTF-8).
 */
function readsApart(next: ClaimedChunk, writing: ClaimedChunk): boolean {
  if (writing.job.id === next.job.id || writing.job.tenant_id !== next.job.tenant_id) return true;
  const [a, b] = [writing.chunk, next.chunk];
  return (
    Buffer.compare(Buffer.from(a.last_subject), Buffer.from(b.first_subject)) < 0 ||
    Buffer.compare(Buffer.from(b.last_subject), Buffer.from(a.first_subject)) < 0
  );
}

/** A chunk claimed while the thread is not (yet) running, or not to be prepared: stored the ordinary way. */
const NOT_PREPARED: PrepareReply = { id: -1, prepared: null };

/**
 * SQLite's WAL checkpoints on a thread of their own while chunks are being written (see
 * `startBackgroundCheckpoints`): started once a chunk was found, stopped when the queue is empty, so
 * an idle worker holds no thread. Measured on a 100,000-customer re-tier: about 16% less wall time on
 * two cores, no more CPU (BENCHMARKS.md, retier-speed-4).
 */
class Checkpoints {
  readonly #db: Executor;
  #stop: (() => Promise<void>) | undefined;
  constructor(db: Executor) {
    this.#db = db;
  }
  async start(): Promise<void> {
    this.#stop ??= await startBackgroundCheckpoints(this.#db);
  }
  async stop(): Promise<void> {
    const stop = this.#stop;
    this.#stop = undefined;
    await stop?.();
  }
}

/** A worker's waits while the database is unreachable: the first, doubling up to the last. */
export const OUTAGE_BACKOFF_MS = { first: 1000, max: 30_000 } as const;

/**
 * Work until `signal` aborts: claim a chunk, run it, repeat (pipelined on SQLite, as {@link drainJobs});
 * when there is none, wait `pollMs`. Between chunks it yields to the event loop, so a server running it
 * in-process keeps answering.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const packs = options.packs ?? packsFor(options);
  const owner = options.owner ?? workerName();
  const pollMs = options.pollMs ?? 1000;
  const checkpoints = new Checkpoints(options.db);
  const logError = options.logError ?? logWorkerError;
  const outage = watchOutage(options.db, logError);
  // While the database is unreachable: waits doubling from 1 s up to 30 s, not a poll a second.
  let backoffMs = 0;
  try {
    while (!options.signal?.aborted) {
      let worked = false;
      try {
        // Until the queue is empty; the threads end with it.
        worked = (await drain(options, packs, owner, checkpoints)) > 0;
        if (!worked) await checkpoints.stop();
        backoffMs = 0;
      } catch (err) {
        // Keep the worker alive and try again after a pause; an outage is logged once (watchOutage).
        if (outage.failed(err)) backoffMs = Math.min(Math.max(backoffMs * 2, OUTAGE_BACKOFF_MS.first), OUTAGE_BACKOFF_MS.max);
        // A claim or give-back that waited out another process's write lock (SQLite): nothing was
        // written, and the next poll tries again; a line, not a stack.
        else if (isDatabaseBusy(err))
          logError(`database busy (another process held the write lock over ${BUSY_WAIT_MS / 1000} s); trying again in ${pollMs} ms`);
        else logError(err);
      }
      if (worked) await new Promise((r) => setImmediate(r));
      else await sleep(backoffMs || pollMs, options.signal);
    }
  } finally {
    await checkpoints.stop().catch(logError);
  }
}
