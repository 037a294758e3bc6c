import type { Executor } from '@tierkit/db';
import { appendOperatorAudit, type OperatorAction } from '../audit.js';
import { cancelJob } from './jobs.js';

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
    await appendOperatorAudit(db, tenantId, action, { status: 201, target: { job: jobId }, detail });
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
