import type { AddedDependent, RetierFilter } from '@tierkit/core/wire';

/*
 * Wire types of `/v1/jobs`: what the API sends lives in @tierkit/core/wire (the API takes it from
 * there too); only the request body the kit sends is declared here.
 */
export { JOB_STATUSES } from '@tierkit/core/wire';
export type {
  AddedDependent,
  Job,
  JobList,
  JobStatus,
  JobSummary,
  MigrationCell,
  PartlyLoaded,
  QueuedJob,
  RetierFilter,
  RetierParams,
  Schedule,
  ScheduleMonth,
} from '@tierkit/core/wire';

/** `POST /v1/jobs`: re-tier one scheme, several or all (`schemes` omitted) at a month. */
export interface StartRetier {
  readonly schemes?: readonly string[];
  /** YYYY-MM, not after the current month. */
  readonly period: string;
  readonly filter?: RetierFilter;
  readonly reason?: string;
  /** The month has not ended and the person confirmed re-tiering it on part of its data. */
  readonly allowOpenMonth?: boolean;
}

/** `GET /v1/jobs/dependents`: what a job asked for some schemes writes, and the schemes it adds. */
export interface JobDependents {
  readonly schemes: readonly string[];
  readonly dependents: readonly AddedDependent[];
}
