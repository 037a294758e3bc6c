import type { SubjectKind } from '../model/scheme.js';
import type { PolicySimulation } from './policies.js';

/* What `/v1/jobs` sends. */

/** The API's words for a job's state. */
export const JOB_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Which subjects a re-tier covers; absent fields do not narrow. */
export interface RetierFilter {
  readonly kind?: SubjectKind;
  /** Only subjects currently at this level of this scheme (checked when their chunk runs). */
  readonly level?: { readonly scheme: string; readonly level: string };
  /** Only these subjects (the bank's external ids). */
  readonly subjects?: readonly string[];
  /**
   * Only subjects whose levels already judge this month (`YYYY-MM`) or a later one: what a policy
   * version taking effect (or retired) in a month changes, without judging anyone else early.
   */
  readonly evaluatedSince?: string;
}

/**
 * Whether a job's filter may leave a subject alone (a level or evaluated-since filter, checked when its
 * chunk runs; a kind or list filter keeps the others out of the job altogether). The job counts whom it
 * left alone only in total (`progress.subjects.skipped`), so this is all it knows of why beyond the
 * reasons every job has: a level already judging a later month, a closed subject, neither level nor data.
 */
export function filterLeavesAlone(filter: RetierFilter): boolean {
  return filter.level !== undefined || filter.evaluatedSince !== undefined;
}

/**
 * A scheme a job adds: either it reads the level of a scheme the job writes (`reads`), or a scheme the
 * job writes reads its level (`readBy`) — written alone, a derived or matrix scheme would be worked out
 * from an input level the job does not store.
 */
export type AddedDependent =
  | {
      readonly scheme: string;
      /** The schemes of the job whose levels it reads directly, in the order it reads them (a matrix: rows, then columns). */
      readonly reads: readonly string[];
    }
  | {
      readonly scheme: string;
      /** The schemes of the job that read its level directly. */
      readonly readBy: readonly string[];
    };

/** What a re-tier job was asked to do, as stored with it. */
export interface RetierParams {
  /**
   * Schemes whose assignments and events it writes; null: every scheme. Those asked for, then the
   * ones added for reading them (`dependents`), in dependency order.
   */
  readonly schemes: readonly string[] | null;
  /**
   * Schemes added to those asked for because they read one of their levels (a derived or matrix
   * scheme), directly or through another: without them they would keep a level worked out from the
   * old one. Empty when every scheme is written or none reads them; absent on jobs stored before.
   */
  readonly dependents?: readonly AddedDependent[];
  /** The month (`YYYY-MM`) to evaluate at. */
  readonly period: string;
  readonly filter: RetierFilter;
  readonly reason: string | null;
}

/** Level counts from → to of one scheme (from null: the subject had no level before; unchanged ones included, from = to). */
export interface MigrationCell {
  readonly scheme: string;
  readonly from: string | null;
  readonly to: string;
  readonly count: number;
}

/** One scheme's share of a job's level changes. */
export interface SchemeChanges {
  readonly scheme: string;
  /** Level changes written in this scheme (tier events). */
  readonly changes: number;
}

/** What a job wrote: sums over the chunks done so far, complete once the job is. */
export interface JobSummary {
  /** Level changes written (tier events), every scheme the job wrote together. */
  readonly changes: number;
  /**
   * `changes` per scheme: the schemes asked for first (in the order asked), then those the job added
   * for reading them (`params.dependents`), then any other it wrote. A job over one scheme also
   * re-tiers what reads it, so the total alone overstates what the scheme asked for moved.
   */
  readonly schemes: readonly SchemeChanges[];
  /** Assignments written whose level needs a second person's approval. */
  readonly approvalRequired: number;
  readonly matrix: readonly MigrationCell[];
}

/** What a job does: re-tier (writes levels), or simulate a policy version (reads only). */
export const JOB_KINDS = ['retier', 'simulate'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * A policy simulation run as a job (`POST /v1/policies/{scheme}/versions/{version}/simulations`):
 * which version and which revision of its document it plans, and what its chunks found.
 */
export interface JobSimulation {
  readonly scheme: string;
  readonly version: number;
  /**
   * `sha256:…` of the document the job simulates, taken when it was queued: every chunk plans that
   * one, whatever is saved to the draft meanwhile.
   */
  readonly revision: string;
  /** Whether the version's document is still that revision (false: the draft was edited since; the result is of the earlier one). */
  readonly current: boolean;
  readonly samplesPerCell: number;
  /** `POST …/simulate`'s answer over the chunks done so far: the whole book once the job is completed. */
  readonly result: PolicySimulation;
}

/** A job as the API and the CLI show it. */
export interface Job {
  readonly id: string;
  /** A `simulate` job writes nothing: its params say the scheme and month planned, `simulation` what it found; `summary` stays empty. */
  readonly kind: JobKind;
  readonly status: JobStatus;
  /** As stored, `dependents` always said (empty for a job stored before they were added). */
  readonly params: RetierParams & { readonly dependents: readonly AddedDependent[] };
  readonly requestedBy: string;
  /** The staff member behind `requestedBy` (their staff token or a key they own); null for anyone else. */
  readonly requestedByStaff: string | null;
  readonly scheduleKey: string | null;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
  readonly progress: {
    readonly chunks: { readonly total: number; readonly done: number };
    readonly subjects: { readonly total: number; readonly processed: number; readonly skipped: number };
  };
  readonly summary: JobSummary;
  /** Only on `simulate` jobs. */
  readonly simulation?: JobSimulation;
}

/**
 * A month a person re-tiers by hand though the monthly schedule would still wait for it: the by-month
 * metrics the tenant loaded in each of the two months before that have no data in it (`missing`,
 * sorted), and those that have (`loaded`, sorted).
 */
export interface PartlyLoaded {
  readonly missing: readonly string[];
  readonly loaded: readonly string[];
}

/**
 * `POST /v1/jobs`'s 201: the job queued, and whether its month is partly loaded (null: nothing
 * missing). Customers are evaluated as if they had none of `missing` for the month.
 */
export interface QueuedJob extends Job {
  readonly partlyLoaded: PartlyLoaded | null;
}

export interface JobList {
  readonly items: readonly Job[];
  readonly nextCursor: string | null;
}

/** A month as `GET /v1/jobs/schedule` shows it: where the monthly schedule stands with it, and why it waits. */
export interface ScheduleMonth {
  /**
   * `YYYY-MM`: the month just ended in the bank's calendar (the first of `months`), or an earlier month
   * of the look-back whose data changed after its re-tier (`stale` or `needs-decision`; those follow, newest first).
   */
  readonly period: string;
  /**
   * `job-failed`/`job-cancelled`: its job (`job`) stopped and waits for someone to resume it; `overdue`:
   * still waiting `overdueDays` after the month ended, `waitingFor` says for what; `queued`: its job runs;
   * `stale`: data of the month was written after its job (`job`) began, and it is re-tiered again once quiet;
   * `needs-decision`: an earlier month's data changed after its job, and a later month (`later`) has been
   * re-tiered since — nothing is queued, an operator decides (`command`).
   */
  readonly state:
    | 'waiting-for-data'
    | 'settling'
    | 'import-running'
    | 'job-failed'
    | 'job-cancelled'
    | 'overdue'
    | 'queued'
    | 'done'
    | 'stale'
    | 'needs-decision';
  /** Why it waits, overdue or not (`job`: failed or cancelled; `operator`: needs-decision); null while queued or done. */
  readonly waitingFor: 'data' | 'settling' | 'import' | 'job' | 'operator' | null;
  /** When the month ended (ISO 8601 UTC): it has waited since. */
  readonly endedAt: string;
  /** When a month still waiting is overdue. */
  readonly overdueAt: string;
  /**
   * By-month metrics the month waits for (`required`: loaded each of the two months before), those
   * with data for it, and those still missing (every by-month metric read when none has data).
   */
  readonly metrics: {
    readonly required: readonly string[];
    readonly loaded: readonly string[];
    readonly missing: readonly string[];
  } | null;
  readonly lastWrittenAt: string | null;
  /** Settling: queued at the schedule's first look after this if nothing more arrives. */
  readonly quietAt: string | null;
  readonly importId: string | null;
  /** Its monthly job once queued (`status` a JobStatus). */
  readonly job: { readonly id: string; readonly status: string } | null;
  /**
   * `needs-decision`: the latest month re-tiered since, its job, and whether the corrected month lies
   * within the months that month's policy reads (a re-tier of it reads the corrections). Else null.
   */
  readonly later: {
    readonly period: string;
    readonly job: { readonly id: string; readonly status: string };
    readonly readsCorrections: boolean;
  } | null;
  /** `needs-decision`: what an operator can run — `tierkit retier --period …` (POST /v1/jobs with that period). Else null. */
  readonly command: string | null;
}

/** `GET /v1/jobs/schedule`. */
export interface Schedule {
  /**
   * Whether the server that answered runs the monthly schedule (`TIERKIT_SCHEDULE`): that process
   * only, not the deployment. False: this server does not run it — another server on the database
   * may (each month is queued once, whichever looks first); where none does, monthly jobs are started
   * by hand. Null: not known — the embedder of `createApp` did not say, or `tierkit jobs schedule`
   * was run without `TIERKIT_SCHEDULE` set.
   */
  readonly running: boolean | null;
  readonly timeZone: string;
  readonly settleMinutes: number;
  readonly overdueDays: number;
  readonly months: readonly ScheduleMonth[];
}
