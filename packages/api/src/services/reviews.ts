import { dayOf, startOfDay, type CalendarDay, type PolicyPack } from '@tierkit/core';
import { appendDecision, listAssignments, listOverdueReviews, type ReviewRule } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { sortableId } from '../ids.js';
import { roleAtLeast, type Role } from '../auth/roles.js';
import { invalid, ProblemError } from '../problem.js';
import { bookOf } from './books.js';
import { audienceOf, requireReadable } from './audience.js';
import { restrictedShown } from './restricted-reads.js';

/*
 * Review intervals are counted in calendar days of the bank's time zone: a level last reviewed on
 * 31 August with a six-month interval is due on 28 February (the month's last day, never 3 March),
 * from the first instant of that day there. Counting in days keeps "due" monotonic in the day of the
 * last review, so the listing's one cutoff per level and each item's `dueAt` always agree.
 */

type Day = CalendarDay;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `d` plus whole calendar months, clamped to the last day of a shorter month. */
function plusMonths(d: Day, months: number): Day {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysIn(year, month)) };
}

/** When a level reviewed at `reviewedAt` is due again: the first instant of its due day in `timeZone` (ISO 8601 UTC). */
export function dueAfter(reviewedAt: string, months: number, timeZone: string): string {
  return startOfDay(plusMonths(dayOf(new Date(reviewedAt), timeZone), months), timeZone).toISOString();
}

/**
 * The last instant a review may have happened for the level to be due at `now`: the end of the
 * latest day whose due day (`dueAfter`) is today or earlier. On the last day of a month every later
 * day of the month `months` back is due too (31 August is due on 28 February).
 */
function cutoffAt(now: Date, months: number, timeZone: string): string {
  const today = dayOf(now, timeZone);
  const back = plusMonths({ ...today, day: 1 }, -months);
  const length = daysIn(back.year, back.month);
  const day = today.day === daysIn(today.year, today.month) ? length : Math.min(today.day, length);
  return new Date(startOfDay({ ...back, day: day + 1 }, timeZone).getTime() - 1).toISOString();
}

const CURSOR = 'reviews-overdue';

/** A level's review rule: its interval in months and the cutoff up to which a last review is overdue at `now`. */
export type DueRule = ReviewRule & { readonly months: number };

/**
 * The review rules of a pack's levels that declare `reviewMonths` (of one scheme when given), at
 * `now`, counted in the days of `timeZone` (the bank's).
 */
export function reviewRules(pack: PolicyPack, now: string, scheme: string | undefined, timeZone: string): DueRule[] {
  const rules: DueRule[] = [];
  for (const s of pack.schemes) {
    if (scheme !== undefined && s.key !== scheme) continue;
    for (const l of s.levels)
      if (l.reviewMonths !== undefined)
        rules.push({ scheme: s.key, level: l.key, cutoff: cutoffAt(new Date(now), l.reviewMonths, timeZone), months: l.reviewMonths });
  }
  return rules;
}

/**
 * Subjects whose level declares `reviewMonths` and whose last review (sign-off, recorded review, or
 * the move into the level) is at least that many months ago; optionally of one scheme; of one book
 * (`manager`), always the caller's own when it is book-scoped. Paged by external id, then scheme.
 */
export async function overdueReviewsPage(
  deps: ApiDeps,
  q: { readonly scheme?: string; readonly manager?: string; readonly limit: number; readonly cursor?: string },
) {
  const book = await bookOf(deps, q.manager);
  const tp = await packOf(deps);
  // A mistyped scheme must not read as "nothing overdue".
  if (q.scheme !== undefined && !tp.schemes.has(q.scheme)) {
    throw invalid([
      { path: 'query.scheme', message: `unknown scheme "${q.scheme}"`, code: 'unknown_scheme', params: { scheme: q.scheme } },
    ]);
  }
  if (q.scheme !== undefined) requireReadable(deps.principal, tp, q.scheme, 'query.scheme');
  const now = deps.now().toISOString();
  // A review due names the customer's level (AML 高 every six months): only of schemes the caller reads.
  const audience = audienceOf(deps.principal, tp);
  const rules = reviewRules(tp.pack, now, q.scheme, deps.timeZone).filter((r) => audience.sees(r.scheme));
  const after = q.cursor === undefined ? undefined : decodeCursor(CURSOR, q.cursor, ['subject', 'scheme']);
  const rows = await listOverdueReviews(deps.db, deps.tenantId, rules, q.limit + 1, after, book);
  const page = rows.slice(0, q.limit);
  const months = new Map(rules.map((r) => [`${r.scheme}\u0000${r.level}`, r.months]));
  const items = page.map((r) => {
    const reviewMonths = months.get(`${r.scheme}\u0000${r.level}`) ?? 0;
    return { ...r, reviewMonths, dueAt: r.lastReviewedAt === null ? null : dueAfter(r.lastReviewedAt, reviewMonths, deps.timeZone) };
  });
  const last = page.at(-1);
  const restricted = new Set(restrictedShown(audience, undefined));
  const read = items.filter((i) => restricted.has(i.scheme));
  return {
    items,
    restricted: { schemes: [...new Set(read.map((i) => i.scheme))], subjects: [...new Set(read.map((i) => i.subject))] },
    nextCursor: rows.length > q.limit && last ? encodeCursor(CURSOR, { subject: last.subject, scheme: last.scheme }) : null,
  };
}

/**
 * Who signs off a level that needs a sign-off (`approvalRequired`: AML 高, a PEP): an approver, as
 * `POST /v1/subjects/{id}/levels/{scheme}/approve` needs (auth/access.ts).
 */
export const SIGN_OFF_ROLE: Role = 'approver';

/**
 * 403 `forbidden`, field code `review_needs_sign_off_role`, unless the caller may sign the level off:
 * the periodic review of such a level is the enhanced due diligence of a high-risk customer, compliance's
 * to record (docs/domain.md §4), not their relationship manager's alone. Reviews of other levels stay
 * any officer's, an RM's of their book too.
 */
function requireSignOffRole(deps: ApiDeps, subject: string, scheme: string, level: string, signOff: boolean): void {
  if (!signOff || roleAtLeast(deps.principal.role, SIGN_OFF_ROLE)) return;
  const message = `${scheme} ${level} needs a sign-off, so its periodic review is recorded by the ${SIGN_OFF_ROLE} role or higher (the credential has ${deps.principal.role}); nothing was recorded. Ask compliance to review subject "${subject}".`;
  throw new ProblemError('forbidden', message, [
    { path: 'scheme', message, code: 'review_needs_sign_off_role', params: { scheme, level, needs: SIGN_OFF_ROLE } },
  ]);
}

/** Record that a person reviewed a subject's current level in a scheme: the review interval starts again. */
export async function recordReview(deps: ApiDeps, externalId: string, scheme: string, note: string) {
  const tp = await packOf(deps);
  const subject = await subjectOr404(deps, externalId);
  if (!tp.schemes.has(scheme))
    throw invalid([{ path: 'scheme', message: `no scheme "${scheme}" in this tenant`, code: 'unknown_scheme', params: { scheme } }]);
  const current = (await listAssignments(deps.db, deps.tenantId, subject.id)).find((a) => a.scheme === scheme);
  if (!current) throw new ProblemError('unprocessable', `Subject "${externalId}" has no level in ${scheme} to review.`);
  const level = tp.schemes.get(scheme)?.levels.find((l) => l.key === current.level);
  requireSignOffRole(deps, externalId, scheme, current.level, level?.approvalRequired === true);
  const at = deps.now().toISOString();
  const months = level?.reviewMonths;
  await deps.db.transaction().execute(async (trx) => {
    // An RM's book held to the commit (subjectOr404 in a transaction): a review is never recorded
    // for a customer moved out of it since the read above, and a move waits for it.
    if (deps.principal.book !== undefined) await subjectOr404(deps, externalId, trx);
    await appendDecision(trx, deps.tenantId, {
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
  });
  return {
    subject: externalId,
    scheme,
    level: current.level,
    reviewedBy: deps.principal.actor,
    reviewedAt: at,
    note,
    nextDueAt: months === undefined ? null : dueAfter(at, months, deps.timeZone),
  };
}
