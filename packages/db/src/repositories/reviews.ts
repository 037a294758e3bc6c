import { sql } from 'kysely';
import type { Executor } from './executor.js';
import { bookIds, type Books } from './staff.js';

/** A level reviewed no later than `cutoff` is overdue: one per (scheme, level) that declares an interval. */
export interface ReviewRule {
  readonly scheme: string;
  readonly level: string;
  /** ISO 8601 UTC: the last instant a review may have happened for the level to be due now (the API counts the interval in the bank's days). */
  readonly cutoff: string;
}

/** A subject whose level is due for review. */
export interface OverdueReview {
  readonly subject: string;
  readonly scheme: string;
  readonly level: string;
  /** The last sign-off, review or move into the level (ISO 8601 UTC); null when none is recorded. */
  readonly lastReviewedAt: string | null;
}

/**
 * Subjects whose current level in one of `rules` was last reviewed no later than its cutoff. The last
 * review is the latest of: an approval or review recorded in `approval_decisions` for that subject and
 * scheme, and the tier event that moved it into its current level (being graded is a review).
 * External id, then scheme order; keyset after `after`. With `managedBy`, only the subjects in that
 * staff member's book. Closed subjects (customers who left) are never due.
 */
export async function listOverdueReviews(
  db: Executor,
  tenantId: string,
  rules: readonly ReviewRule[],
  limit: number,
  after?: { readonly subject: string; readonly scheme: string },
  managedBy?: Books,
): Promise<OverdueReview[]> {
  if (rules.length === 0) return [];
  const due = sql.join(
    rules.map((r) => sql`(x.scheme = ${r.scheme} AND x.level = ${r.level} AND (x.last_review IS NULL OR x.last_review <= ${r.cutoff}))`),
    sql` OR `,
  );
  // Only the rows that could be due get the correlated lookups.
  const candidate = sql.join(
    rules.map((r) => sql`(a.scheme = ${r.scheme} AND a.level = ${r.level})`),
    sql` OR `,
  );
  const page = after
    ? sql`AND (x.external_id > ${after.subject} OR (x.external_id = ${after.subject} AND x.scheme > ${after.scheme}))`
    : sql``;
  const book =
    managedBy === undefined
      ? sql``
      : sql`AND EXISTS (SELECT 1 FROM subject_managers m
          WHERE m.tenant_id = a.tenant_id AND m.subject_id = a.subject_id AND m.staff_id IN (${sql.join(bookIds(managedBy))}))`;
  const result = await sql<{ external_id: string; scheme: string; level: string; last_review: string | null }>`
    SELECT x.external_id, x.scheme, x.level, x.last_review FROM (
      SELECT s.external_id, a.scheme, a.level, (
        SELECT max(r.at) FROM (
          SELECT e.at FROM tier_events e
            WHERE e.tenant_id = a.tenant_id AND e.subject_id = a.subject_id AND e.scheme = a.scheme AND e.to_level = a.level
          UNION ALL
          SELECT d.at FROM approval_decisions d
            WHERE d.tenant_id = a.tenant_id AND d.subject_id = a.subject_id AND d.scheme = a.scheme AND d.action IN ('approved', 'reviewed')
        ) r
      ) AS last_review
      FROM assignments a JOIN subjects s ON s.id = a.subject_id AND s.tenant_id = a.tenant_id
      -- A customer who left the bank has no level left to review.
      WHERE a.tenant_id = ${tenantId} AND s.closed_at IS NULL AND (${candidate}) ${book}
    ) x
    WHERE (${due}) ${page}
    ORDER BY x.external_id, x.scheme
    LIMIT ${limit}`.execute(db);
  return result.rows.map((r) => ({ subject: r.external_id, scheme: r.scheme, level: r.level, lastReviewedAt: r.last_review }));
}
