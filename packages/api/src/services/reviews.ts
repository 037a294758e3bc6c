import type { PolicyPack } from '@tierkit/core';
import { appendDecision, listAssignments, listOverdueReviews, type ReviewRule } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { sortableId } from '../ids.js';
import { invalid, ProblemError } from '../problem.js';

/** `instant` plus whole calendar months, in UTC. */
export function plusMonths(instant: string, months: number): string {
  const d = new Date(instant);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
}

const CURSOR = 'reviews-overdue';

/** A level's review rule: its interval in months and the cutoff before which a last review is overdue at `now`. */
export type DueRule = ReviewRule & { readonly months: number };

/** The review rules of a pack's levels that declare `reviewMonths` (of one scheme when given), at `now`. */
export function reviewRules(pack: PolicyPack, now: string, scheme?: string): DueRule[] {
  const rules: DueRule[] = [];
  for (const s of pack.schemes) {
    if (scheme !== undefined && s.key !== scheme) continue;
    for (const l of s.levels)
      if (l.reviewMonths !== undefined)
        rules.push({ scheme: s.key, level: l.key, cutoff: plusMonths(now, -l.reviewMonths), months: l.reviewMonths });
  }
  return rules;
}

/**
 * Subjects whose level declares `reviewMonths` and whose last review (sign-off, recorded review, or
 * the move into the level) is at least that many months ago; optionally of one scheme. Paged by
 * external id, then scheme.
 */
export async function overdueReviewsPage(deps: ApiDeps, q: { readonly scheme?: string; readonly limit: number; readonly cursor?: string }) {
  const tp = await packOf(deps);
  const now = deps.now().toISOString();
  const rules = reviewRules(tp.pack, now, q.scheme);
  const after = q.cursor === undefined ? undefined : decodeCursor(CURSOR, q.cursor, ['subject', 'scheme']);
  const rows = await listOverdueReviews(deps.db, deps.tenantId, rules, q.limit + 1, after);
  const page = rows.slice(0, q.limit);
  const months = new Map(rules.map((r) => [`${r.scheme}\u0000${r.level}`, r.months]));
  const items = page.map((r) => {
    const reviewMonths = months.get(`${r.scheme}\u0000${r.level}`) ?? 0;
    return { ...r, reviewMonths, dueAt: r.lastReviewedAt === null ? null : plusMonths(r.lastReviewedAt, reviewMonths) };
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(CURSOR, { subject: last.subject, scheme: last.scheme }) : null };
}

/** Record that a person reviewed a subject's current level in a scheme: the review interval starts again. */
export async function recordReview(deps: ApiDeps, externalId: string, scheme: string, note: string) {
  const tp = await packOf(deps);
  const subject = await subjectOr404(deps, externalId);
  if (!tp.schemes.has(scheme)) throw invalid([{ path: 'scheme', message: `no scheme "${scheme}" in this tenant` }]);
  const current = (await listAssignments(deps.db, deps.tenantId, subject.id)).find((a) => a.scheme === scheme);
  if (!current) throw new ProblemError('unprocessable', `Subject "${externalId}" has no level in ${scheme} to review.`);
  const at = deps.now().toISOString();
  const months = tp.schemes.get(scheme)?.levels.find((l) => l.key === current.level)?.reviewMonths;
  await appendDecision(deps.db, deps.tenantId, {
    id: sortableId(deps.now()),
    kind: 'review',
    requestId: `${externalId}:${scheme}`,
    subjectId: subject.id,
    scheme,
    action: 'reviewed',
    actor: deps.principal.actor,
    at,
    note,
    contentHash: null,
  });
  return {
    subject: externalId,
    scheme,
    level: current.level,
    reviewedBy: deps.principal.actor,
    reviewedAt: at,
    note,
    nextDueAt: months === undefined ? null : plusMonths(at, months),
  };
}
