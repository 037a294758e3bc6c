import type { QueuedJob } from '@tierkit/admin';

/*
 * A re-tier started on another page of the console (the approvals page's "start re-tier") is followed
 * on the job's page, which has a Jobs store of its own: the queued job — with what its month lacks,
 * `partlyLoaded` — is handed over here, so the job's page says it as it does for a job started there.
 */
let last: QueuedJob | undefined;

/** Hand the job just started to the job's page the console navigates to next. */
export function handOverStarted(job: QueuedJob): void {
  last = job;
}

/** The job handed over for `id`, if it was the last one started elsewhere. */
export function startedElsewhere(id: string | undefined): QueuedJob | undefined {
  return id !== undefined && last?.id === id ? last : undefined;
}
