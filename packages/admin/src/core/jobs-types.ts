/*
 * Wire types of `/v1/jobs` (packages/api/src/schemas/jobs.ts is their source).
 */

/** The API's words for a job's state. */
export const JOB_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface RetierFilter {
  readonly kind?: string;
  /** Only subjects currently at this level of this scheme. */
  readonly level?: { readonly scheme: string; readonly level: string };
  /** Only these subjects (external ids). */
  readonly subjects?: readonly string[];
}

/** Subjects of one scheme that went from one level to another (unchanged ones included, from = to). */
export interface MigrationCell {
  readonly scheme: string;
  /** Null: no level before the job. */
  readonly from: string | null;
  readonly to: string;
  readonly count: number;
}

export interface Job {
  readonly id: string;
  readonly kind: 'retier';
  readonly status: JobStatus;
  readonly params: {
    readonly schemes: readonly string[] | null;
    readonly period: string;
    readonly filter: RetierFilter;
    readonly reason: string | null;
  };
  readonly requestedBy: string;
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
  readonly summary: {
    /** Level changes written. */
    readonly changes: number;
    /** Results whose level waits for a second person's sign-off. */
    readonly approvalRequired: number;
    readonly matrix: readonly MigrationCell[];
  };
}

export interface JobList {
  readonly items: readonly Job[];
  readonly nextCursor: string | null;
}

/** `POST /v1/jobs`: re-tier one scheme, several or all (`schemes` omitted) at a month. */
export interface StartRetier {
  readonly schemes?: readonly string[];
  /** YYYY-MM, not after the current month. */
  readonly period: string;
  readonly filter?: RetierFilter;
  readonly reason?: string;
}
