import type { JobRow } from '../schema.js';
import type { Executor } from './executor.js';
import { writeSeqOf } from './write-seq.js';

/** What changed in a tenant since a simulation job was queued, each of which its figures no longer show. */
export interface ChangedSince {
  /** Metrics were written after it (an upload, an import): the book's data is not what it read. */
  readonly data: boolean;
  /** A re-tier job was queued after it and has finished: the levels it moved from are not today's. */
  readonly levels: boolean;
}

/**
 * What of the book changed since `job` was queued. Metric writes and jobs are ordered by the database's
 * write sequence (write-seq.ts), not by clocks. (Whether its policies changed is the API's: it compares
 * the versions the job pinned with those in force, policy-approval-impact.ts.)
 */
export async function changedSince(
  db: Executor,
  tenantId: string,
  job: Pick<JobRow, 'id' | 'write_seq' | 'created_at'>,
): Promise<ChangedSince> {
  const seq = writeSeqOf(job.write_seq) ?? 0;
  const data = await db
    .selectFrom('metric_periods')
    .select('period')
    .where('tenant_id', '=', tenantId)
    .where('last_write_seq', '>', seq)
    .limit(1)
    .executeTakeFirst();
  const levels = await db
    .selectFrom('jobs')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'retier')
    .where('status', '=', 'completed')
    .where('write_seq', '>', seq)
    .limit(1)
    .executeTakeFirst();
  return { data: data !== undefined, levels: levels !== undefined };
}

/**
 * The newest simulation job of version `version` of `scheme` in `status` (any status: undefined), read
 * through the version's index (migration 2026-12-17T00-00-40): however many other simulations the tenant ran since.
 */
export async function latestVersionSimulationJob(
  db: Executor,
  tenantId: string,
  scheme: string,
  version: number,
  status?: string,
): Promise<JobRow | undefined> {
  let q = db
    .selectFrom('jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('simulation_scheme', '=', scheme)
    .where('simulation_version', '=', version);
  if (status !== undefined) q = q.where('status', '=', status);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** A job's chunks' subject ranges, in order: what a re-plan of its book reads again, chunk by chunk. */
export async function jobChunkRanges(db: Executor, jobId: string): Promise<{ first: string; last: string }[]> {
  const rows = await db
    .selectFrom('job_chunks')
    .select(['first_subject', 'last_subject'])
    .where('job_id', '=', jobId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ first: r.first_subject, last: r.last_subject }));
}

/** Names of the subjects `ids` (internal), by id. */
export async function subjectNamesIn(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, { readonly externalId: string; readonly name: string }>> {
  const out = new Map<string, { externalId: string; name: string }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('subjects')
    .select(['subjects.id', 'subjects.external_id', 'subjects.display_name'])
    .where('subjects.tenant_id', '=', tenantId)
    .where('subjects.id', 'in', [...ids])
    .execute();
  for (const r of rows) out.set(r.id, { externalId: r.external_id, name: r.display_name });
  return out;
}
