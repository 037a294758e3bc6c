import { hostname } from 'node:os';
import {
  claimChunk,
  completeChunk,
  completeJobIfDone,
  releaseChunk,
  setJobStatus,
  startBackgroundCheckpoints,
  type Executor,
} from '@tierkit/db';
import { randomBytes } from 'node:crypto';
import { TenantPacks } from '../tenant-pack.js';
import { subjectsWritten } from '../../version-trust.js';
import { retierChunk } from './retier-chunk.js';
import type { RetierParams, RetierTotals } from './retier-params.js';

/** How long a claimed chunk stays a worker's: past it, another worker takes the chunk over. */
export const DEFAULT_LEASE_MS = 60_000;
/** Claims of one chunk before its job is marked failed (a chunk that keeps failing is a fault to look at). */
export const MAX_CHUNK_ATTEMPTS = 3;

export interface WorkerOptions {
  readonly db: Executor;
  /** Compiled packs, shared with an app in the same process when there is one. */
  readonly packs?: TenantPacks;
  /** Names this worker in leases; default host, process id and a random suffix. */
  readonly owner?: string;
  readonly leaseMs?: number;
  /** Pause when there is nothing to do. Default 1 s. */
  readonly pollMs?: number;
  readonly now?: () => Date;
  /** Stops the loop of {@link runWorker} (after the chunk in progress). */
  readonly signal?: AbortSignal;
  /** Told after every chunk this worker commits. */
  readonly onChunk?: (done: { jobId: string; seq: number; totals: RetierTotals }) => void;
  /** Where a failed chunk is reported. Default `console.error`. */
  readonly logError?: (err: unknown) => void;
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
  packs = options.packs ?? new TenantPacks(),
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
  if (!claimed) return false;
  const { chunk, job } = claimed;
  if (chunk.attempts > MAX_CHUNK_ATTEMPTS) {
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
    await completeJobIfDone(db, job.id, clock().toISOString());
    options.onChunk?.({ jobId: job.id, seq: chunk.seq, totals });
  } catch (err) {
    if (!(err instanceof ChunkTakenOver)) {
      (options.logError ?? ((e: unknown) => console.error('tierkit worker: chunk failed', e)))(err);
      await releaseChunk(db, job.id, chunk.seq, owner);
    }
  }
  return true;
}

/** Run chunks until none is left to claim (tests, `tierkit retier` without a server). Returns how many were claimed. */
export async function drainJobs(options: WorkerOptions): Promise<number> {
  const packs = options.packs ?? new TenantPacks();
  const owner = options.owner ?? workerName();
  const checkpoints = new Checkpoints(options.db);
  let n = 0;
  try {
    while (!options.signal?.aborted && (await workOnce(options, packs, owner))) {
      n++;
      await checkpoints.start();
    }
  } finally {
    await checkpoints.stop();
  }
  return n;
}

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

/**
 * Work until `signal` aborts: claim a chunk, run it, repeat; when there is none, wait `pollMs`.
 * Between chunks it yields to the event loop, so a server running it in-process keeps answering.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const packs = options.packs ?? new TenantPacks();
  const owner = options.owner ?? workerName();
  const pollMs = options.pollMs ?? 1000;
  const checkpoints = new Checkpoints(options.db);
  const logError = options.logError ?? ((e: unknown) => console.error('tierkit worker:', e));
  try {
    while (!options.signal?.aborted) {
      let worked = false;
      try {
        worked = await workOnce(options, packs, owner);
        if (worked) await checkpoints.start();
        else await checkpoints.stop();
      } catch (err) {
        // The database may be briefly unreachable: keep the worker alive and try again after a pause.
        logError(err);
      }
      if (worked) await new Promise((r) => setImmediate(r));
      else await sleep(pollMs, options.signal);
    }
  } finally {
    await checkpoints.stop().catch(logError);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
