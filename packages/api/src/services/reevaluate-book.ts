import { schemeDependencies, type SchemeDefinition } from '@tierkit/core';
import { countSubjectsEvaluatedSince, subjectsEvaluatedSince } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { periodOf } from '../periods.js';
import { subjectsWritten } from '../version-trust.js';
import { reevaluateSubject } from './reevaluate.js';

/**
 * Largest book re-evaluated inside the request that approves a policy. Each subject costs a few
 * queries and one evaluation of its latest months, a few milliseconds (packages/api/README.md,
 * "Policies"), so 1,000 subjects keep the request within seconds; a larger book is reported
 * `deferred`, for a job to run.
 */
export const SYNC_REEVALUATION_LIMIT = 1000;

/** Subjects re-evaluated per transaction. */
const CHUNK = 200;

/** What a re-evaluation of the book did, or that it was left to a job. */
export interface BookReevaluation {
  readonly status: 'done' | 'deferred';
  /** The first month whose judgement the change of policy affects. */
  readonly fromPeriod: string;
  /** Subjects of the scheme's kind (any kind, for a scheme no longer in force) evaluated for that month or later. */
  readonly subjects: number;
  /** Level changes it recorded (0 when deferred). */
  readonly changes: number;
}

/**
 * What `reevaluateBook` needs: the database and packs, the tenant, the clock, who acts, and the
 * app's matrix cache to drop when there is one (a worker process has none).
 */
export type BookDeps = Pick<ApiDeps, 'db' | 'packs' | 'tenantId' | 'now' | 'timeZone' | 'principal'> & Partial<Pick<ApiDeps, 'matrices'>>;

/**
 * `scheme` and every scheme that reads its level, directly or through another (a derived or matrix
 * scheme), in `schemes`: what a new version of `scheme` can move. Not its inputs nor the rest of the
 * book: judged again, those would only move by data read since (the month under way), which no
 * approver was asked about — `retail-tier` v2 moved `credit-rating` C→BBB for defaulted borrowers.
 */
export function changedWith(schemes: readonly SchemeDefinition[], scheme: string): Set<string> {
  const out = new Set([scheme]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of schemes) {
      if (out.has(s.key) || !schemeDependencies(s).some((d) => out.has(d))) continue;
      out.add(s.key);
      grew = true;
    }
  }
  return out;
}

/**
 * Evaluate again every subject of `scheme`'s kind whose stored levels judge `fromPeriod` or a later month, under the
 * policy versions now in force for those months (after a version of `scheme` took effect), storing the
 * levels of `scheme` and of the schemes derived from it ({@link changedWith}); every other level stays
 * as it was judged. Each subject is evaluated as a metric upload would (its latest month again, from the state before it,
 * so hysteresis is not counted twice), in transactions of `CHUNK` subjects, walking the book by id so
 * a large book is never held in memory. With `limit`, a larger book is left alone and reported
 * `deferred`: this is the one entry point a background job should call for it.
 */
export async function reevaluateBook(
  deps: BookDeps,
  scheme: string,
  fromPeriod: string,
  options: { readonly limit?: number } = {},
): Promise<BookReevaluation> {
  const tp = await deps.packs.get(deps.db, deps.tenantId, periodOf(deps.now(), deps.timeZone));
  // Only the scheme's kind of subject can be judged differently (all kinds and schemes, for a scheme no longer in force).
  const kind = tp.schemes.get(scheme)?.subjectKind;
  const only = kind === undefined ? undefined : changedWith(tp.pack.schemes, scheme);
  const subjects = await countSubjectsEvaluatedSince(deps.db, deps.tenantId, fromPeriod, kind);
  if (options.limit !== undefined && subjects > options.limit) return { status: 'deferred', fromPeriod, subjects, changes: 0 };
  // Level changes are recorded as the approver's doing: their approval is what changed them.
  const actor = deps.principal.actor;
  let changes = 0;
  let after = '';
  for (;;) {
    const page = await subjectsEvaluatedSince(deps.db, deps.tenantId, fromPeriod, after, CHUNK, kind);
    if (page.length === 0) break;
    changes += await deps.db.transaction().execute(async (trx) => {
      let n = 0;
      for (const subject of page)
        n += (await reevaluateSubject(trx, tp, subject, deps.now(), actor, { policyChange: true, ...(only ? { only } : {}) })).changes;
      return n;
    });
    after = page[page.length - 1]?.id ?? after;
    subjectsWritten();
  }
  deps.matrices?.invalidate(deps.tenantId);
  return { status: 'done', fromPeriod, subjects, changes };
}
