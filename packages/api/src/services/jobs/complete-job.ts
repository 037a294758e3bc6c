import { completeFinishedJobs, completeJobIfDone, markRetiered, type CompletedJob, type Executor } from '@tierkit/db';
import type { TenantPacks } from '../tenant-pack.js';
import { retiersWholeMonth, type RetierParams } from './retier-params.js';

/**
 * Record a job completed when none of its chunks is pending (`jobId`; without it, every such job, as a
 * worker with nothing to claim does) and, in the same transaction `trx`, move the call lists' month of
 * each month-end re-tier it completed ({@link markMonth}). The month moves when the job is whole, not
 * at its first chunk: while it runs, after it failed or was cancelled, the lists keep the previous
 * month's complete list. Whichever worker or process records the job completed marks it, once (the
 * completion is a compare-and-set on the job's status). Returns how many jobs it completed.
 */
export async function completeJobs(trx: Executor, packs: TenantPacks, now: string, jobId?: string): Promise<number> {
  const done = jobId === undefined ? await completeFinishedJobs(trx, now) : [await completeJobIfDone(trx, jobId, now)];
  let n = 0;
  for (const job of done) {
    if (!job) continue;
    n++;
    if (job.kind === 'retier') await markMonth(trx, packs, job, now);
  }
  return n;
}

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
  const schemes = (params.schemes ?? [...pack.schemes.keys()]).filter(
    (s) => kind === undefined || pack.schemes.get(s)?.subjectKind === kind,
  );
  await markRetiered(
    trx,
    job.tenantId,
    schemes.map((scheme) => ({ scheme, period: params.period })),
    now,
  );
}
