import { type CustomerActivity, customerActivity, type Executor, retentionYearsOf } from '@tierkit/db';
import { periodEnd, type ProblemParam } from '@tierkit/core';
import { type ApiDeps, packOf } from '../deps.js';
import { addMonths, periodOf } from '../periods.js';
import { invalid, ProblemError } from '../problem.js';
import { countedClosing, lowestClosing } from './closing.js';
import { closingFloor } from './level-analytics.js';
import { retentionClock } from './retention.js';

/*
 * The checks of a closing's date against what would follow from it. A closing starts the retention
 * clock, and an erasure cannot be undone, so the date one person gives must neither contradict the
 * book nor make a customer erasable at once (docs/operations.md, "Retention and erasure"). The API's
 * closing (422) and a subjects import's row (a row error) alike.
 */

/** Why a closing's date is refused: a field error's or a row error's code, words and params. */
export interface ClosingDateProblem {
  readonly message: string;
  readonly code: 'left_beyond_retention' | 'left_before_activity';
  readonly params: Record<string, ProblemParam>;
}

/** The tenant's retention at `now`: the earliest date a closing may give without a second person. */
export interface ClosingRetention {
  readonly years: number;
  readonly cutoff: string;
}

/** The tenant's retention at `now` (undefined for no such tenant). */
export async function closingRetention(db: Executor, tenantId: string, now: Date, timeZone: string): Promise<ClosingRetention | undefined> {
  const years = await retentionYearsOf(db, tenantId);
  return years === undefined ? undefined : { years, cutoff: retentionClock(now, years, timeZone).cutoff };
}

/**
 * A closing dated more than the retention period back would make the customer erasable at once, on
 * one credential's word. Refused, not queued for a second person: what it would let the next run do
 * cannot be undone, and a customer gone that long is kept no worse by a closing dated within the
 * period (the reason can give the real date).
 */
export function beyondRetention(leftAt: string, retention: ClosingRetention | undefined): ClosingDateProblem | undefined {
  if (retention === undefined || leftAt >= retention.cutoff) return undefined;
  return {
    message: `is more than ${retention.years} years back (the retention period): the customer would be erasable at once on one person's word; date the closing from ${retention.cutoff} on, or leave "at" out for now, and give the real date in the reason`,
    code: 'left_beyond_retention',
    params: { minimum: retention.cutoff, inclusive: true, origin: 'instant', retentionYears: retention.years },
  };
}

/**
 * A closing dated before what the book recorded of the customer since (customer-activity.ts): metrics
 * of a month that began after it, or a person's decision made after it. The relationship had not ended;
 * the date is a mistake or a back-dating. Named: the latest such activity and its instant.
 */
export function beforeActivity(leftAt: string, activity: CustomerActivity | undefined, timeZone: string): ClosingDateProblem | undefined {
  // A month's metrics say the customer was there when the month began: a closing in that month is consistent.
  const metricsFrom = activity?.lastPeriod ? periodEnd(addMonths(activity.lastPeriod, -1), timeZone) : null;
  const decided = activity?.lastDecisionAt ?? null;
  const latest: { at: string; params: Record<string, string> } | undefined =
    metricsFrom !== null && (decided === null || metricsFrom >= decided)
      ? { at: metricsFrom, params: { activity: 'metrics', period: activity?.lastPeriod ?? '' } }
      : decided !== null
        ? { at: decided, params: { activity: 'decision' } }
        : undefined;
  if (latest === undefined || leftAt >= latest.at) return undefined;
  const what = latest.params.activity === 'metrics' ? `metrics for ${latest.params.period}` : `a decision at ${latest.at}`;
  return {
    message: `is before the customer's last recorded activity (${what}): the relationship had not ended; date the closing from ${latest.at} on`,
    code: 'left_before_activity',
    params: { latestActivity: latest.at, ...latest.params },
  };
}

/** The latest activity of one customer (internal id). */
export async function activityOf(db: Executor, tenantId: string, subjectId: string): Promise<CustomerActivity | undefined> {
  return (await customerActivity(db, tenantId, [subjectId])).get(subjectId);
}

/**
 * The earliest date a closing applies at once, recorded at `now`: the first instant of the month three
 * months before the one it is recorded in, in the bank's calendar (recorded in November, from 1 August).
 * Earlier, it waits for a second person as a closing request (closing-requests.ts). Three whole months and
 * the one under way: a closing the branch learns of at a month's or a quarter's reconciliation is routine,
 * and dating it back that far moves a five-year clock by at most a season; further back, one person's
 * date would bring an erasure years nearer.
 */
export function closingAtOnceFrom(now: Date, timeZone: string): string {
  return periodEnd(addMonths(periodOf(now, timeZone), -4), timeZone);
}

/**
 * Whether a closing dated `at` waits for a second person: only when it would start the retention clock
 * before `atOnceFrom` (closingAtOnceFrom). The clock never starts before the bank recorded the customer
 * (`createdAt`), nor before their last recorded activity — a month of metrics, counted to its end, or a
 * person's decision (docs/operations.md, "Retention and erasure") — so a customer recorded or active
 * since then is kept just as long whatever date is given, and one person's word moves nothing.
 */
export function closingNeedsSecondPerson(
  at: string,
  createdAt: string,
  activity: CustomerActivity | undefined,
  atOnceFrom: string,
  timeZone: string,
): boolean {
  if (at >= atOnceFrom || createdAt >= atOnceFrom) return false;
  if (activity?.lastPeriod && periodEnd(activity.lastPeriod, timeZone) >= atOnceFrom) return false;
  return !(activity?.lastDecisionAt && activity.lastDecisionAt >= atOnceFrom);
}

/** A closing whose date cannot stand: 422, naming the field and why; nothing is changed. */
export function closingDateRefused(id: string, p: ClosingDateProblem): ProblemError {
  return new ProblemError('unprocessable', `The closing of "${id}" was not recorded: its "at" ${p.message}.`, [
    { path: 'at', message: p.message, code: p.code, params: p.params },
  ]);
}

/**
 * The checks of a closing's date that need no customer row (`at` as asked, recorded at `now`): not in
 * the future (400), not below the floor of final months unless said to be late (400), not past the
 * retention period (422). What it counts from, and its real date when that is earlier. The API's
 * closing, and the approval of a closing request (at the approval's time) alike.
 */
export async function checkedClosingDate(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'timeZone' | 'packs' | 'now'>,
  id: string,
  at: string,
  late: boolean,
  now: Date,
): Promise<{ readonly at: string; readonly leftAt: string | null }> {
  // A closing dated ahead would take the customer out of months they are still a customer in.
  if (at > now.toISOString())
    throw invalid([
      {
        path: 'at',
        message: 'must not be in the future',
        code: 'too_big',
        params: { maximum: now.toISOString(), inclusive: true, origin: 'instant' },
      },
    ]);
  // Back-dated into a final month, the closing would change figures the bank has already read. A
  // closing learnt late, said to be (`late`), counts from the first instant allowed and keeps the
  // real date beside it for staff and the trail; nothing is ever dated before 2000.
  const floor = await closingFloor(deps.db, deps.tenantId, (await packOf(deps)).schemes.keys(), {
    now: () => now,
    timeZone: deps.timeZone,
  });
  const below = lowestClosing(late, floor, 'send "late": true');
  if (at < below.at)
    throw invalid([
      { path: 'at', message: below.why, code: 'too_small', params: { minimum: below.at, inclusive: true, origin: 'instant' } },
    ]);
  const beyond = beyondRetention(at, await closingRetention(deps.db, deps.tenantId, now, deps.timeZone));
  if (beyond) throw closingDateRefused(id, beyond);
  return countedClosing(at, floor);
}

/**
 * A closing learnt late checked against what the book recorded of the customer since (beforeActivity):
 * in the closing's transaction, so what it reads is what the closing races. 422 when it contradicts it.
 */
export async function checkClosingActivity(
  trx: Executor,
  deps: Pick<ApiDeps, 'tenantId' | 'timeZone'>,
  id: string,
  subjectId: string,
  at: string,
  late: boolean,
): Promise<void> {
  const early = late ? beforeActivity(at, await activityOf(trx, deps.tenantId, subjectId), deps.timeZone) : undefined;
  if (early) throw closingDateRefused(id, early);
}
