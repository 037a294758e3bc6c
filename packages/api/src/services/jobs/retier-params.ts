import type { JobSummary, MigrationCell, RetierFilter, RetierParams } from '@tierkit/core';

// The filter, the parameters and the matrix are sent as they are stored: one home, shared with the admin kit.
export type { MigrationCell, RetierFilter, RetierParams };

/** What one chunk (and, summed, a whole job) did: the job's summary, and the subjects it went through. */
export interface RetierTotals extends JobSummary {
  /** Subjects re-evaluated. */
  readonly processed: number;
  /**
   * Subjects of the job (its kind and list) left alone: no data and no level, evaluated at a later
   * month already, or outside the level or evaluated-since filter. Processed and skipped add up to the
   * job's total.
   */
  readonly skipped: number;
}

/** Add totals up (the matrix cell by cell, in a stable order). */
export function sumTotals(parts: readonly RetierTotals[]): RetierTotals {
  let processed = 0;
  let skipped = 0;
  let changes = 0;
  let approvalRequired = 0;
  const cells = new Map<string, { scheme: string; from: string | null; to: string; count: number }>();
  for (const p of parts) {
    processed += p.processed;
    skipped += p.skipped;
    changes += p.changes;
    approvalRequired += p.approvalRequired;
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
  return { processed, skipped, changes, approvalRequired, matrix };
}
