import {
  dependentSchemes,
  JOB_STATUSES,
  type AddedDependent,
  type Job,
  type JobStatus,
  type PartlyLoaded,
  type QueuedJob,
  type SubjectKind,
} from '@tierkit/core';
import { staffBehind, staffOf } from '../staff-behind.js';
import {
  erasedExternalIds,
  findJob,
  findSubjectIds,
  insertJob,
  isPostgres,
  jobChunkResults,
  listChunkLeases,
  planSubjectChunks,
  resetChunkAttempts,
  setJobStatus,
  type Executor,
  type JobRow,
} from '@tierkit/db';
import { sortableId } from '../../ids.js';
import { isPeriod, periodOf } from '../../periods.js';
import { monthError, monthOpen, notMonth } from '../../month-errors.js';
import { invalid, ProblemError, type FieldError } from '../../problem.js';
import { monthLoad } from './month-data.js';
import { loadTenantPack, type TenantPack } from '../tenant-pack.js';
import { schemeChanges, sumTotals, type RetierFilter, type RetierParams, type RetierTotals } from './retier-params.js';
import { publicParams, simulationView, type SimulationJobParams } from './simulation-job.js';
import { cutJob, jobHiddenFrom, type JobReader } from './reader-cut.js';

/** Subjects per chunk: one transaction each; small enough to commit often, large enough to batch writes. */
export const DEFAULT_CHUNK_SUBJECTS = 1000;
/** Most subjects a `filter.subjects` list may name. */
export const MAX_FILTER_SUBJECTS = 10_000;

// What the API sends about jobs: one home, shared with the admin kit.
export { JOB_STATUSES };
export type { JobStatus };

/** A job as the API and the CLI show it. */
export type JobView = Job;

/** What to re-tier: see {@link enqueueRetier}. */
export interface RetierRequest {
  readonly tenantId: string;
  /** Scheme keys; absent or null: every scheme of the tenant's pack. */
  readonly schemes?: readonly string[] | null;
  /** `YYYY-MM`, not after the current month in `timeZone`. */
  readonly period: string;
  readonly filter?: RetierFilter;
  readonly reason?: string | null;
  /** Who asks (`Principal.actor`), or `schedule`/`policy:<id>` for jobs the system starts. Default `system`. */
  readonly requestedBy?: string;
  /** Queue the job once per tenant and key (`monthly:2026-11`): a second request with the key returns undefined. */
  readonly scheduleKey?: string;
  readonly now?: Date;
  /** The bank's calendar, for the current month. Default: the pack's (`DEFAULT_TIME_ZONE` when loaded here). */
  readonly timeZone?: string;
  readonly chunkSubjects?: number;
  /** The tenant's compiled pack when the caller has it; loaded otherwise. */
  readonly pack?: TenantPack;
  /**
   * Refuse (422 `period-without-data`) a month with no metrics of the schemes asked for: a re-tier
   * of a month before its data is loaded evaluates everyone on nothing. People asking (`POST /v1/jobs`,
   * `tierkit retier`) set it; the monthly schedule waits for the data itself. Set, the job returned
   * says in `partlyLoaded` what the schedule would still wait for (null when nothing).
   */
  readonly requireData?: boolean;
  /**
   * Refuse (400 `month_open` at `allowOpenMonth`) the current month, not yet ended, unless set: a
   * person asking must say they mean a partial month (`POST /v1/jobs` `allowOpenMonth: true`,
   * `tierkit retier --allow-open-month`). Unset by the system's own jobs (a policy activation).
   */
  readonly confirmOpenMonth?: { readonly confirmed: boolean };
}

// A month a person re-tiers by hand though the schedule would wait, and what `POST /v1/jobs` answers:
// one home (core's wire types), shared with the admin kit. The person decides (a quarterly feed, a
// one-off correction, a feed stopped): the job is queued, and says so.
export type { PartlyLoaded, QueuedJob };

/**
 * What {@link enqueueRetier} returns: the job, and — only when `requireData` was set, so the month was
 * looked at — whether it is partly loaded. Not `QueuedJob`: without `requireData` nothing was looked
 * at, and `partlyLoaded: null` would say the month is fully loaded.
 */
export type EnqueuedRetier = JobView & { readonly partlyLoaded?: PartlyLoaded | null };

/**
 * The 422 for a re-tier at a month with no data at all for the schemes asked for (all when none are
 * named; `monthLoad`: no data in the month for any metric read by month, or none up to it when they
 * read only latest observations): key lookups on metric_periods, not a scan of the book. A month with
 * some by-month data is accepted — a person decides — and what the schedule would still wait for is
 * returned (null when nothing).
 */
async function checkMonthHasData(db: Executor, tp: TenantPack, req: RetierRequest): Promise<PartlyLoaded | null> {
  const schemes = req.schemes ?? undefined;
  const load = await monthLoad(db, tp, req.period, schemes);
  if (load.loaded.length) return load.missing.length ? { missing: load.missing, loaded: load.loaded } : null;
  throw new ProblemError(
    'period-without-data',
    periodWithoutDataMessage(req.period, schemes, load.byMonth, 'POST /v1/imports or PUT /v1/subjects/{id}/metrics'),
    [{ path: 'period', message: `no data for ${req.period}`, code: 'no_data', params: { month: req.period, metrics: load.byMonth } }],
  );
}

/**
 * Why a month with no data is refused (`period-without-data`), `loadWith` naming how the asker loads
 * it: the API's endpoints, the CLI's `tierkit import` — one wording, each surface its own way in.
 */
export function periodWithoutDataMessage(
  period: string,
  schemes: readonly string[] | undefined,
  byMonth: readonly string[],
  loadWith: string,
): string {
  const which = schemes ? ` for ${schemes.join(', ')}` : '';
  const list = (ms: readonly string[]) => `${ms.slice(0, 8).join(', ')}${ms.length > 8 ? ', …' : ''}`;
  const looked = byMonth.length ? ` (none of ${list(byMonth)})` : '';
  return `No data for ${period}${which} has been loaded${looked}: re-tiering it now would evaluate every customer as if they had no balances. Load ${period}'s data first (${loadWith}), then queue the job.`;
}

/** A 400 `unknown_scheme` for each of `schemes` the tenant has not (`schemes[i]`). */
export function checkSchemes(tp: TenantPack, schemes: readonly string[]): void {
  const errors = schemes.flatMap((s, i) =>
    tp.schemes.has(s) ? [] : [{ path: `schemes[${i}]`, message: `unknown scheme "${s}"`, code: 'unknown_scheme', params: { scheme: s } }],
  );
  if (errors.length) throw invalid(errors);
}

/** The field errors of a re-tier request, each with its code and params (packages/api README, "Errors"). */
function check(tp: TenantPack, req: RetierRequest, now: Date): void {
  const errors: FieldError[] = [];
  const current = periodOf(now, req.timeZone ?? tp.timeZone);
  const unknownScheme = (path: string, scheme: string): FieldError => ({
    path,
    message: `unknown scheme "${scheme}"`,
    code: 'unknown_scheme',
    params: { scheme },
  });
  const period = monthError('period', req.period, current);
  if (period) errors.push(period);
  else if (req.confirmOpenMonth && !req.confirmOpenMonth.confirmed && req.period === current)
    errors.push(monthOpen('allowOpenMonth', req.period, 'allowOpenMonth'));
  (req.schemes ?? []).forEach((s, i) => {
    if (!tp.schemes.has(s)) errors.push(unknownScheme(`schemes[${i}]`, s));
  });
  const level = req.filter?.level;
  if (level) {
    const def = tp.schemes.get(level.scheme);
    if (!def) errors.push(unknownScheme('filter.level.scheme', level.scheme));
    else if (!def.levels.some((l) => l.key === level.level))
      errors.push({
        path: 'filter.level.level',
        message: `"${level.level}" is not a level of ${level.scheme}`,
        code: 'unknown_level',
        params: { level: level.level, scheme: level.scheme, levels: def.levels.map((l) => l.key) },
      });
  }
  const since = req.filter?.evaluatedSince;
  if (since !== undefined && !isPeriod(since)) errors.push(notMonth('filter.evaluatedSince', since));
  // Judged since a month after the job's: every subject is skipped (judged later, or not since), so the
  // job would write nothing — a slip, not a request to refuse quietly.
  else if (since !== undefined && isPeriod(req.period) && since > req.period)
    errors.push({
      path: 'filter.evaluatedSince',
      message: `${since} is after the job's month ${req.period}: no subject would be re-evaluated`,
      code: 'too_big',
      params: { maximum: req.period, inclusive: true, origin: 'month' },
    });
  const subjects = req.filter?.subjects?.length ?? 0;
  if (subjects > MAX_FILTER_SUBJECTS)
    errors.push({
      path: 'filter.subjects',
      message: `at most ${MAX_FILTER_SUBJECTS} subjects`,
      code: 'too_big',
      params: { maximum: MAX_FILTER_SUBJECTS, inclusive: true, origin: 'array', actual: subjects },
    });
  if (errors.length) throw invalid(errors);
}

/**
 * Queue a re-tier job: one scheme, several or all, at a month, over the whole book or a filter. The
 * subjects are cut into chunks now (ids only, a page at a time); workers do the work — the server's
 * in-process worker on SQLite, `tierkit worker` processes on PostgreSQL. Policy activation and the
 * monthly schedule call this; so does `POST /v1/jobs`. A bad request throws a 400 `ProblemError` and
 * queues nothing. Returns the queued job, or undefined when `scheduleKey` was queued already.
 *
 * @example
 * await enqueueRetier(db, { tenantId: 'demo', schemes: ['retail-tier'], period: '2026-11', reason: 'policy v3 active', requestedBy: 'policy:retail-tier@3' });
 */
export async function enqueueRetier(db: Executor, req: RetierRequest): Promise<EnqueuedRetier | undefined> {
  const now = req.now ?? new Date();
  const tp = req.pack ?? (await loadTenantPack(db, req.tenantId, req.timeZone));
  check(tp, req, now);
  const partlyLoaded = req.requireData ? await checkMonthHasData(db, tp, req) : undefined;
  const { schemes, dependents } = withDependents(tp, req.period, req.schemes ?? null);
  // Schemes of one subject kind only: the others' subjects would get no level of them, so the job is
  // theirs alone — its counts are of the subjects its schemes apply to, not of the whole book.
  // By the pack in force for the month, as withDependents chose the schemes by it.
  const atPeriod = tp.at(req.period);
  const kinds = new Set((schemes ?? []).map((k) => atPeriod.schemes.get(k)?.subjectKind));
  const [onlyKind] = kinds;
  const filter = req.filter?.kind || kinds.size !== 1 || !onlyKind ? (req.filter ?? {}) : { ...req.filter, kind: onlyKind };
  // A job naming customers checks and stores them in one transaction on PostgreSQL, the listed rows
  // read FOR SHARE: an erasure committing between the check and the insert found no job to clear and
  // the job kept the number. (SQLite has one writer: the erasure's transaction holds the whole file.)
  const id = `job_${sortableId(now)}`;
  const write = async (db: Executor): Promise<boolean> => {
    let ids: string[] | undefined;
    if (filter.subjects) {
      const found = await findSubjectIds(db, req.tenantId, filter.subjects);
      const missing = filter.subjects.filter((s) => !found.has(s));
      const erased = await erasedExternalIds(db, req.tenantId, filter.subjects, { share: true });
      if (missing.length || erased.size)
        throw invalid(
          filter.subjects
            .map((s, i) => ({ s, i }))
            .filter(({ s }) => !found.has(s) || erased.has(s))
            .slice(0, 20)
            .map(({ s, i }) =>
              erased.has(s)
                ? // Refused, not dropped: the job is the maker's decision over the list they sent (their reason
                  // is about it), and a job stored without the entry would not be the one asked for. The
                  // place says which; the number is not said back: this answer is kept by an Idempotency-Key
                  // and `tierkit retier` records its refusal's words in the trail, where no erasure finds them.
                  {
                    path: `filter.subjects[${i}]`,
                    message: 'was erased after its retention period; a job cannot name them',
                    code: 'erased',
                  }
                : {
                    path: `filter.subjects[${i}]`,
                    message: `no subject "${s}" in this tenant`,
                    code: 'unknown_subject',
                    params: { subject: s },
                  },
            ),
        );
      ids = [...found.values()];
    }
    const chunks = await planSubjectChunks(
      db,
      req.tenantId,
      { ...(filter.kind ? { kind: filter.kind } : {}), ...(ids ? { ids } : {}) },
      req.chunkSubjects ?? DEFAULT_CHUNK_SUBJECTS,
    );
    const params: RetierParams = {
      schemes,
      dependents,
      period: req.period,
      filter: {
        ...(filter.kind ? { kind: filter.kind as SubjectKind } : {}),
        ...(filter.level ? { level: { scheme: filter.level.scheme, level: filter.level.level } } : {}),
        ...(filter.subjects ? { subjects: [...new Set(filter.subjects)] } : {}),
        ...(filter.evaluatedSince ? { evaluatedSince: filter.evaluatedSince } : {}),
      },
      reason: req.reason ?? null,
    };
    return await insertJob(db, {
      id,
      tenantId: req.tenantId,
      kind: 'retier',
      params,
      requestedBy: req.requestedBy ?? 'system',
      scheduleKey: req.scheduleKey ?? null,
      chunks,
      now: now.toISOString(),
    });
  };
  const stored = filter.subjects && isPostgres(db) && !db.isTransaction ? await db.transaction().execute(write) : await write(db);
  if (!stored) return undefined;
  const job = await jobView(db, req.tenantId, id);
  return job && partlyLoaded !== undefined ? { ...job, partlyLoaded } : job;
}

/**
 * The schemes a job asked for `asked` writes: those, then every scheme that reads one of their levels
 * (a derived or matrix scheme), directly or through another, in the order the engine evaluates them —
 * written alone, a scheme would leave its dependents at a level worked out from its old one. By the
 * pack in force for `period`. Null (every scheme) stays null, with nothing added.
 */
export function withDependents(
  tp: TenantPack,
  period: string,
  asked: readonly string[] | null,
): { readonly schemes: readonly string[] | null; readonly dependents: readonly AddedDependent[] } {
  if (asked === null) return { schemes: null, dependents: [] };
  const unique = [...new Set(asked)];
  const dependents = dependentSchemes((isPeriod(period) ? tp.at(period) : tp).pack.schemes, unique);
  return { schemes: [...unique, ...dependents.map((d) => d.scheme)], dependents };
}

/**
 * The job with its progress and summary so far; undefined when the tenant has no such job. With
 * `reader`, without the schemes they may not read, and undefined for a job about those alone (reader-cut.ts).
 */
export async function jobView(db: Executor, tenantId: string, id: string, reader?: JobReader): Promise<JobView | undefined> {
  const row = await findJob(db, tenantId, id);
  if (!row) return undefined;
  return reader ? readerViewOf(db, row, reader) : viewOf(db, row);
}

/** {@link viewOf} as `reader` may read it: undefined for a job about schemes they may not read alone. */
export async function readerViewOf(db: Executor, row: JobRow, reader: JobReader): Promise<JobView | undefined> {
  const { view, totals } = await viewAndTotals(db, row);
  return jobHiddenFrom(view, reader) ? undefined : cutJob(view, totals, reader);
}

/** {@link jobView} of a row already read. */
export async function viewOf(db: Executor, row: JobRow): Promise<JobView> {
  return (await viewAndTotals(db, row)).view;
}

async function viewAndTotals(db: Executor, row: JobRow): Promise<{ view: JobView; totals: RetierTotals }> {
  const { done, results } = await jobChunkResults(db, row.id);
  const totals = sumTotals(results.map((r) => JSON.parse(r) as RetierTotals));
  const simulate = row.kind === 'simulate';
  const stored = JSON.parse(row.params) as RetierParams;
  const view: JobView = {
    id: row.id,
    kind: simulate ? 'simulate' : 'retier',
    status: row.status as JobStatus,
    // Jobs stored before dependents were added say none.
    params: simulate ? publicParams(stored as SimulationJobParams) : { dependents: [], ...stored },
    requestedBy: row.requested_by,
    requestedByStaff: staffOf(await staffBehind(db, row.tenant_id, [row.requested_by]), row.requested_by),
    scheduleKey: row.schedule_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    error: row.error,
    progress: {
      chunks: { total: Number(row.total_chunks), done },
      subjects: { total: Number(row.total_subjects), processed: totals.processed, skipped: totals.skipped },
    },
    summary: {
      changes: totals.changes,
      schemes: schemeChanges(totals, stored.schemes ?? []),
      approvalRequired: totals.approvalRequired,
      matrix: totals.matrix,
    },
    ...(simulate ? { simulation: await simulationView(db, row, results) } : {}),
  };
  return { view, totals };
}

/** The job, or a 404 problem (a job of another tenant is the same 404). */
export async function jobOr404(db: Executor, tenantId: string, id: string, reader?: JobReader): Promise<JobView> {
  const view = await jobView(db, tenantId, id, reader);
  if (!view) throw new ProblemError('not-found', `No job "${id}" in this tenant.`);
  return view;
}

/**
 * Stop a running job: no further chunk starts or commits; a chunk in progress rolls back, so what
 * was written is exactly the chunks done. 409 when the job has finished.
 */
export async function cancelJob(db: Executor, tenantId: string, id: string, now = new Date()): Promise<JobView> {
  const job = await jobOr404(db, tenantId, id);
  if (!(await setJobStatus(db, tenantId, id, ['running'], 'cancelled', now.toISOString())))
    throw new ProblemError('conflict', `Job ${id} is ${job.status}; only a running job can be cancelled.`);
  return jobOr404(db, tenantId, id);
}

/** Carry on a cancelled or failed job from its last committed chunk. 409 when it is running or completed. */
export async function resumeJob(db: Executor, tenantId: string, id: string, now = new Date()): Promise<JobView> {
  const job = await jobOr404(db, tenantId, id);
  if (!(await setJobStatus(db, tenantId, id, ['cancelled', 'failed'], 'running', now.toISOString()))) {
    const running = job.status === 'running' ? ` ${await runningJobStands(db, id, now)}` : '';
    throw new ProblemError('conflict', `Job ${id} is ${job.status}; only a cancelled or failed job can be resumed.${running}`);
  }
  await resetChunkAttempts(db, id);
  return jobOr404(db, tenantId, id);
}

/**
 * Where a running job stands with its workers, in a sentence: a job whose worker was killed stays
 * running until the chunk's lease expires and a worker takes it over (a lease cannot be told from a
 * live worker's before then), so say until when.
 */
export async function runningJobStands(db: Executor, id: string, now = new Date()): Promise<string> {
  const live = (await listChunkLeases(db, id)).filter((l) => l.expiresAt > now.toISOString());
  const latest = live[0];
  if (!latest)
    return 'No worker holds any of its chunks: a worker takes it over when it next looks (the server’s on SQLite, `tierkit worker`).';
  const which = live.length === 1 ? `chunk ${latest.seq}` : `${live.length} chunks`;
  return `Worker ${latest.owner} holds ${which} until ${latest.expiresAt}; if it was stopped, a worker takes the job over after then.`;
}
