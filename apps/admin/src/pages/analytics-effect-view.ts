import type { EffectQuery, EffectResponse } from '@tierkit/admin';
import { formatValue } from '@tierkit/core/format';
import type { ConsoleLocale } from '../words.js';

/*
 * What the effect evaluation shows beside its figures, apart from the page so that it can be tested
 * without a browser: the query as the route holds it (a view can be linked and reproduced), the
 * bands of its strata in the metric's own unit, and the movers no stayer could be compared with.
 */

/** The route's parameters of an effect query (`#/analytics?…&period=…&direction=…&months=…&metric=…`). */
export function effectParams(q: EffectQuery): Record<string, string> {
  return {
    period: q.period,
    direction: q.direction,
    ...(q.months !== undefined ? { months: String(q.months) } : {}),
    ...(q.metric ? { metric: q.metric } : {}),
    ...(q.overrides === 'include' ? { overrides: 'include' } : {}),
  };
}

/** The effect query a route names for `scheme`, when it names a month and a direction; the API checks the rest. */
export function askedEffect(params: URLSearchParams | undefined, scheme: string): EffectQuery | undefined {
  const period = params?.get('period');
  const direction = params?.get('direction');
  if (!period || (direction !== 'up' && direction !== 'down')) return undefined;
  const months = Number(params?.get('months'));
  const metric = params?.get('metric');
  return {
    scheme,
    period,
    direction,
    ...(Number.isInteger(months) && months > 0 ? { months } : {}),
    ...(metric ? { metric } : {}),
    ...(params?.get('overrides') === 'include' ? { overrides: 'include' as const } : {}),
  };
}

/** Whether two queries ask the same (the API's defaults as given: 6 months, its default metric). */
export function sameEffect(a: EffectQuery | undefined, b: EffectQuery | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.scheme === b.scheme &&
    a.period === b.period &&
    a.direction === b.direction &&
    (a.months ?? 6) === (b.months ?? 6) &&
    (a.metric ?? '') === (b.metric ?? '') &&
    (a.overrides ?? 'exclude') === (b.overrides ?? 'exclude')
  );
}

/** A band's limits in the metric's unit: `min ≤ v < max`; null is unbounded. */
export interface BandText {
  readonly min: string | null;
  readonly max: string | null;
}

/**
 * A stratum's band as its values read. A yes/no metric has two bands, 否 (below 1) and 是; anything else
 * shows its doubling limits, money in yuan (¥41,943.04 – ¥83,886.08).
 */
export function bandLimits(min: number | null, max: number | null, metric: EffectResponse['metric'], locale: ConsoleLocale): BandText {
  if (metric.unit === 'boolean') {
    const v = min === null ? 0 : 1;
    return { min: formatValue(v, 'boolean', undefined, locale), max: null };
  }
  const text = (v: number | null) => (v === null ? null : formatValue(v, metric.unit, metric.currency, locale));
  return { min: text(min), max: text(max) };
}

/** Movers left out of every month's comparison: in no stratum with a stayer, or without the metric in the month of the move. */
export function uncomparedMovers(e: EffectResponse): number {
  return Math.max(0, e.cohorts.moved - (e.matched.moved.counts[0] ?? 0));
}

/** Strata that hold both movers and stayers: only these are compared. */
export function comparedStrata(e: EffectResponse): number {
  return e.strata.filter((s) => s.moved > 0 && s.stayed > 0).length;
}
