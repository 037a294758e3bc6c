import type { Executor } from '@tierkit/db';
import { appendOperatorAudit, type OperatorAction } from '../audit.js';
import { cancelJob } from './jobs.js';

/**
 * The one customer a re-tier's filter names (`subjects` of one), or null. Its record then names that
 * customer as its target, as any record about one customer does, so the split (audit-personal.ts) keeps
 * the number, the filter and the reason in the side row an erasure of that customer deletes. A filter of
 * several customers is a list of numbers, kept in the record as every such list is for now
 * (docs/operations.md, "Not split yet").
 */
export function filterSubject(filter: { readonly subjects?: readonly string[] } | null | undefined): string | null {
  return filter?.subjects?.length === 1 ? (filter.subjects[0] ?? null) : null;
}

/**
 * The audit record of a job queued outside any transaction (`tierkit retier`, the monthly schedule):
 * appended right after the job committed, in a short transaction of its own, so the chain's head (a
 * write lock) is never held while a whole book's chunks are planned. Stamped when appended, never
 * with the caller's clock: a time from before the append could sort before records appended first.
 *
 * When the record cannot be written the job is cancelled, so none runs unrecorded, and the error says
 * so. A cancel can fail too (a worker may already have finished the job, which only a running job
 * allows): then the error says the job could not be cancelled and why, never that it was.
 */
export async function recordQueuedJob(
  db: Executor,
  tenantId: string,
  action: OperatorAction,
  jobId: string,
  detail: Readonly<Record<string, unknown>>,
): Promise<void> {
  try {
    const subject = filterSubject(detail.filter as { subjects?: readonly string[] } | null | undefined);
    await appendOperatorAudit(db, tenantId, action, { status: 201, target: { job: jobId, ...(subject ? { subject } : {}) }, detail });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const cancel = await cancelJob(db, tenantId, jobId).then(
      () => undefined,
      (c: unknown) => (c instanceof Error ? c.message : String(c)),
    );
    throw new Error(
      cancel === undefined
        ? `job ${jobId} was cancelled: its audit record could not be written (${why})`
        : `job ${jobId} could not be cancelled (${cancel}) after its audit record could not be written (${why})`,
      { cause: e },
    );
  }
}
