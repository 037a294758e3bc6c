import type { JobSummary, MigrationCell, RetierFilter, RetierParams } from '@tierkit/core';

// The filter, the parameters and the matrix are sent as they are stored: one home, shared with the admin kit.
export type { MigrationCell, RetierFilter, RetierParams };

/** What one chunk (and, summed, a whole job) did: the job's summary, and the subjects it went through. */
export interface RetierTotals extends Omit<JobSummary, 'schemes'> {
  /**
   * `changes` by scheme. Absent on chunks stored before it was counted: their changes are then read
   * off the matrix (`schemeChanges`).
   */
  readonly changesByScheme?: Readonly<Record<string, number>>;
  /**
   * `approvalRequired` by scheme, so a reader who may not read a scheme (`readers`: an AML grade) gets
   * the count without that scheme's sign-offs (jobs/reader-cut.ts). Absent on chunks stored before it
   * was counted.
   */
  readonly approvalRequiredByScheme?: Readonly<Record<string, number>>;
  /** Subjects re-evaluated. */
  readonly processed: number;
  /**
   * Subjects of the job (its kind and list) left alone: no data and no level, evaluated at a later
   * month already, or outside the level or evaluated-since filter. Processed and skipped add up to the
   * job's total.
   */
  readonly skipped: number;
}

/**
 * Whether a job re-tiers the whole of its schemes at its month: no filter (the month-end job, or one
 * started by hand like it). Only such a job moves its schemes' latest re-tier, the month the call lists
 * read: one for a few customers, a level or a policy's months would otherwise move every RM's list to
 * a month the rest of the book has not reached.
 */
export function retiersWholeMonth(params: Pick<RetierParams, 'filter'>): boolean {
  return Object.keys(params.filter ?? {}).length === 0;
}

/** Add totals up (the matrix cell by cell, in a stable order). */
export function sumTotals(parts: readonly RetierTotals[]): RetierTotals {
  let processed = 0;
  let skipped = 0;
  let changes = 0;
  let approvalRequired = 0;
  const byScheme: Record<string, number> = {};
  const approvalByScheme: Record<string, number> = {};
  let counted = parts.length > 0;
  let approvalCounted = parts.length > 0;
  const cells = new Map<string, { scheme: string; from: string | null; to: string; count: number }>();
  for (const p of parts) {
    processed += p.processed;
    skipped += p.skipped;
    changes += p.changes;
    approvalRequired += p.approvalRequired;
    if (p.changesByScheme) for (const [scheme, n] of Object.entries(p.changesByScheme)) byScheme[scheme] = (byScheme[scheme] ?? 0) + n;
    else if (p.changes !== 0 || p.matrix.length) counted = false;
    if (p.approvalRequiredByScheme)
      for (const [scheme, n] of Object.entries(p.approvalRequiredByScheme)) approvalByScheme[scheme] = (approvalByScheme[scheme] ?? 0) + n;
    else if (p.approvalRequired !== 0) approvalCounted = false;
    for (const c of p.matrix) {
      const key = JSON.stringify([c.scheme, c.from, c.to]);
      const cell = cells.get(key);
      if (cell) cell.count += c.count;
      else cells.set(key, { ...c });
    }
  }
  const matrix = [...cells.values()].sort(
    (a, b) => a.scheme.localeCompare(b.scheme) || (a.from ?? '').localeCompare(b.from ?? '') || a.to.localeCompare(b.to),
  );
  return {
    processed,
    skipped,
    changes,
    approvalRequired,
    matrix,
    ...(counted ? { changesByScheme: byScheme } : {}),
    ...(approvalCounted ? { approvalRequiredByScheme: approvalByScheme } : {}),
  };
}

/**
 * A job's changes per scheme, in the order `JobSummary.schemes` says: `order` (the schemes asked for,
 * then the dependents), then the rest by key. Chunks stored before changes were counted by scheme
 * are read off the matrix: a subject whose level moved (a first level included) is one change.
 */
export function schemeChanges(totals: RetierTotals, order: readonly string[]): { scheme: string; changes: number }[] {
  let counts = totals.changesByScheme;
  if (!counts) {
    const fromMatrix: Record<string, number> = {};
    for (const c of totals.matrix) if (c.from !== c.to) fromMatrix[c.scheme] = (fromMatrix[c.scheme] ?? 0) + c.count;
    counts = fromMatrix;
  }
  const written = new Set([...Object.keys(counts), ...totals.matrix.map((c) => c.scheme)]);
  const keys = [...order.filter((k) => written.has(k)), ...[...written].filter((k) => !order.includes(k)).sort()];
  return [...new Set(keys)].map((scheme) => ({ scheme, changes: counts[scheme] ?? 0 }));
}
