import {
  completeJobIfDone,
  isDatabaseBusy,
  isDatabaseUnreachable,
  listFinishedJobIds,
  markRetiered,
  type CompletedJob,
  type Executor,
} from '@tierkit/db';
import type { TenantPacks } from '../tenant-pack.js';
import { retiersWholeMonth, type RetierParams } from './retier-params.js';

/**
 * Record job `jobId` completed when none of its chunks is pending and, in the same transaction `trx`,
 * move the call lists' month of a month-end re-tier ({@link markMonth}). The month moves when the job
 * is whole, not at its first chunk: while it runs, after it failed or was cancelled, the lists keep
 * the previous month's complete list. Whichever worker or process records the job completed marks it,
 * once (the completion is a compare-and-set on the job's status). Returns whether it completed it.
 */
export async function completeJobIfFinished(trx: Executor, packs: TenantPacks, now: string, jobId: string): Promise<boolean> {
  const job = await completeJobIfDone(trx, jobId, now);
  if (!job) return false;
  if (job.kind === 'retier') await markMonth(trx, packs, job, now);
  return true;
}

/**
 * Complete every job whose chunks are all done but which is still `running` (its last chunk's worker
 * failed to complete it), as a worker with nothing to claim does: each in a transaction of its own
 * (`write`), so one that throws — a tenant's pack that no longer builds at the job's month, parameters
 * that no longer read — is logged and left running while every other tenant's job completes and moves
 * its month. The database's own failures (SQLite busy, PostgreSQL unreachable) are no job's: thrown,
 * for the worker's loop to wait them out as for any claim. Run it outside any other transaction:
 * SQLite's pipelined writer opens one per job here. Returns how many it completed.
 */
export async function completeFinishedJobs(
  db: Executor,
  packs: TenantPacks,
  now: string,
  write: <T>(fn: (trx: Executor) => Promise<T>) => Promise<T>,
  log: (err: unknown) => void,
): Promise<number> {
  let n = 0;
  let said = stuckSaid.get(log);
  if (!said) stuckSaid.set(log, (said = new Map()));
  const at = Date.parse(now);
  const ids = await listFinishedJobIds(db);
  // A job no longer listed (completed by another worker, cancelled) is forgotten: said again if it ever returns.
  const listed = new Set(ids);
  for (const id of said.keys()) if (!listed.has(id)) said.delete(id);
  for (const id of ids) {
    try {
      if (await write((trx) => completeJobIfFinished(trx, packs, now, id))) n++;
      said.delete(id);
    } catch (err) {
      if (isDatabaseBusy(err) || isDatabaseUnreachable(err)) throw err;
      const last = said.get(id);
      if (last !== undefined && at - last < STUCK_SAID_EVERY_MS) continue;
      said.set(id, at);
      log(
        `job ${id}: all its chunks are done, but marking it completed failed: ${String(err)}; it stays running, tried again on every idle poll (said again every ${STUCK_SAID_EVERY_MS / 60_000} minutes while it fails)`,
      );
    }
  }
  return n;
}

/**
 * A job whose completion keeps failing is said once per this long, per logger, not on every idle poll:
 * a worker polls every second, and a line a second would bury the log it is meant to stand out in.
 */
export const STUCK_SAID_EVERY_MS = 10 * 60_000;
// Keyed by the logger, so each worker (one logger for its life) says it once and a test's fresh logger is told anew.
const stuckSaid = new WeakMap<(err: unknown) => void, Map<string, number>>();

/**
 * The schemes a completed re-tier evaluated at its month, marked as the schemes' latest re-tier
 * (`markRetiered`), when it re-tiered the whole of them: no filter, or only a subject kind — every
 * subject of that kind, so the whole of each of its schemes of that kind. `enqueueRetier` adds the kind
 * itself when the schemes named are all of one kind, so a month-end job started by hand for one scheme
 * is such a job. Read off its parameters, not its assignments: every row a job stores is at its month
 * (a customer already evaluated at a later one is left alone, never stored at it), so each scheme's
 * latest month in the job is the job's. `schemes` null is every scheme of the pack in force for that
 * month — the ones its chunks evaluated (a scheme whose first version takes effect later has none);
 * named, they are the schemes asked for and their dependents, as stored.
 */
async function markMonth(trx: Executor, packs: TenantPacks, job: CompletedJob, now: string): Promise<void> {
  const params = JSON.parse(job.params) as RetierParams;
  const { kind, ...narrowed } = params.filter ?? {};
  if (!retiersWholeMonth({ filter: narrowed })) return;
  const pack = await packs.get(trx, job.tenantId, params.period);
  // A scheme named but not in force at the job's month (its first version takes effect later, or it
  // was retired: the job's parameters were checked against the pack of the day it was started) had no
  // chunk evaluate it, so its month is not this one.
  const schemes = (params.schemes ?? [...pack.schemes.keys()]).filter((s) => {
    const scheme = pack.schemes.get(s);
    return scheme !== undefined && (kind === undefined || scheme.subjectKind === kind);
  });
  await markRetiered(
    trx,
    job.tenantId,
    schemes.map((scheme) => ({ scheme, period: params.period })),
    now,
  );
}
