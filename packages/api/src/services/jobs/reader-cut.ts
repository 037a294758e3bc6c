import type { AddedDependent, Job, MigrationCell } from '@tierkit/core';
import type { RetierTotals } from './retier-params.js';
import { monthlyReasonWithout } from './monthly-reason.js';

/**
 * Who reads a job, as far as its figures go: the schemes whose levels they may not read (`readers`,
 * docs/permissions.md "Who reads a scheme's levels") and each scheme's sign-off levels.
 */
export interface JobReader {
  readonly hidden: ReadonlySet<string>;
  /** Scheme → its levels marked `approvalRequired` (level-approvals.ts `approvalRequiredLevels`). */
  readonly approvalLevels: ReadonlyMap<string, readonly string[]>;
}

/**
 * Whether the job is about hidden schemes alone, so that even its existence tells: every scheme it was
 * asked for is hidden (a version of the AML grade approved or retired re-tiers that grade, its reason
 * naming it), or it re-tiers only the customers at a hidden scheme's level (`filter.level`: its subject
 * count is that level's head count). Such a job is answered as one that does not exist.
 */
export function jobHiddenFrom(job: Pick<Job, 'params'>, reader: JobReader): boolean {
  if (reader.hidden.size === 0) return false;
  const level = job.params.filter.level;
  if (level && reader.hidden.has(level.scheme)) return true;
  const schemes = job.params.schemes;
  if (!schemes) return false;
  const added = new Set((job.params.dependents ?? []).map((d) => d.scheme));
  const asked = schemes.filter((s) => !added.has(s));
  return asked.length > 0 && asked.every((s) => reader.hidden.has(s));
}

/**
 * A re-tier job's parameters and summary without the schemes the reader may not read: their migration
 * cells, changes and sign-off counts are an AML grade's from → to head counts by another route
 * (docs/permissions.md). A dependent keeps its place but not the hidden schemes it reads or is read by.
 */
export function cutJob(job: Job, totals: RetierTotals, reader: JobReader): Job {
  const { hidden } = reader;
  if (hidden.size === 0) return job;
  const shown = (s: string) => !hidden.has(s);
  const matrix = job.summary.matrix.filter((c) => shown(c.scheme));
  const schemes = job.summary.schemes.filter((s) => shown(s.scheme));
  const dependents: AddedDependent[] = job.params.dependents
    .filter((d) => shown(d.scheme))
    .map((d) => ('reads' in d ? { scheme: d.scheme, reads: d.reads.filter(shown) } : { scheme: d.scheme, readBy: d.readBy.filter(shown) }));
  return {
    ...job,
    params: {
      ...job.params,
      schemes: job.params.schemes?.filter(shown) ?? null,
      dependents,
      reason: reasonShown(job.params.reason, hidden),
    },
    summary: {
      changes: schemes.reduce((n, s) => n + s.changes, 0),
      schemes,
      approvalRequired: approvalShown(totals, matrix, reader),
      matrix,
    },
  };
}

/**
 * The job's reason as the reader may read it. The monthly job's counts the reviews overdue by scheme and
 * level — the grade's head counts — so it is rebuilt without the hidden schemes; any other reason that
 * names one (typed by whoever queued the job: "after aml-risk v3") is withheld whole, as the scheme is
 * absent from the reader's every other read.
 */
function reasonShown(reason: string | null, hidden: ReadonlySet<string>): string | null {
  if (reason === null) return null;
  const monthly = monthlyReasonWithout(reason, hidden);
  if (monthly !== undefined) return monthly;
  // Scheme keys are words of letters, digits, `-` and `_`: a reason names one when one of its words is it.
  return reason.split(/[^\w-]+/).some((word) => hidden.has(word)) ? null : reason;
}

/**
 * The sign-offs among the schemes shown. Chunks stored before they were counted by scheme: the cells
 * moving into a sign-off level of a scheme shown — the engine flags a level only when it changed
 * (compile-scheme.ts), so the unchanged cells (`from = to`) are not counted — rather than a total with the
 * hidden schemes' in it. At most what was flagged: an override's approver already signed some off.
 */
function approvalShown(totals: RetierTotals, matrix: readonly MigrationCell[], reader: JobReader): number {
  const by = totals.approvalRequiredByScheme;
  if (by) return Object.entries(by).reduce((n, [scheme, k]) => (reader.hidden.has(scheme) ? n : n + k), 0);
  return matrix.reduce((n, c) => (c.from !== c.to && reader.approvalLevels.get(c.scheme)?.includes(c.to) ? n + c.count : n), 0);
}
