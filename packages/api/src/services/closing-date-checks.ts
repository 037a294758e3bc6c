import { type CustomerActivity, customerActivity, type Executor, retentionYearsOf } from '@tierkit/db';
import { periodEnd, type ProblemParam } from '@tierkit/core';
import { addMonths } from '../periods.js';
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
