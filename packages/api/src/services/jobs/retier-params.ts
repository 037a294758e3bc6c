import type { SubjectKind } from '@tierkit/core';

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

/** What a re-tier job was asked to do, as stored with it. */
export interface RetierParams {
  /** Schemes whose assignments and events it writes; null: every scheme. */
  readonly schemes: readonly string[] | null;
  /** The month (`YYYY-MM`) to evaluate at. */
  readonly period: string;
  readonly filter: RetierFilter;
  readonly reason: string | null;
}

/** Level counts from → to of one scheme (from null: the subject had no level before). */
export interface MigrationCell {
  readonly scheme: string;
  readonly from: string | null;
  readonly to: string;
  readonly count: number;
}

/** What one chunk (and, summed, a whole job) did. */
export interface RetierTotals {
  /** Subjects re-evaluated. */
  readonly processed: number;
  /** Subjects in range left alone: no data and no level, evaluated at a later month already, or outside the filter. */
  readonly skipped: number;
  /** Level changes written (tier events). */
  readonly changes: number;
  /** Assignments written whose level needs a second person's approval. */
  readonly approvalRequired: number;
  readonly matrix: readonly MigrationCell[];
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
