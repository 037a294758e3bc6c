import {
  periodEnd,
  schemeMetrics,
  type EffectGroupSeries,
  type EffectResponse,
  type EffectStratum,
  type MetricDef,
  type SchemeDefinition,
} from '@tierkit/core';
import { effectCohorts, latestEvaluatedPeriod, type CohortMonth, type EffectCohortQuery, type Executor } from '@tierkit/db';
import { addMonths, monthRange, monthsBetween, periodOf } from '../periods.js';
import { finalThrough, inForceAt, levelRanks, type AnalyticsClock } from './level-analytics.js';

/*
 * Effect evaluation (效果评估): did a move up (or down) change what customers hold? The method is in
 * docs/domain.md §10; in short, customers who moved in a month are compared with
 * customers at the same level before the move who stayed there, within the same baseline band of the
 * metric (doubling bands), the stayers' figures weighted to the movers' mix of strata.
 */

/**
 * The metrics an evaluation of `def` may follow: the catalogue less the metrics of other kinds of
 * subject — those read by some scheme, none of them of `def`'s subject kind (a retail scheme is not
 * offered 从业人员 or 绩效评分, which only corporate and employee schemes read). A metric no scheme reads
 * says nothing of its kind and stays (lounge visits, card spending: outcomes, not criteria).
 */
export function metricsOfKind(
  def: SchemeDefinition,
  schemes: Iterable<SchemeDefinition>,
  metrics: ReadonlyMap<string, MetricDef>,
): MetricDef[] {
  const ownKind = new Set<string>();
  const otherKind = new Set<string>();
  for (const s of schemes) for (const m of schemeMetrics(s)) (s.subjectKind === def.subjectKind ? ownKind : otherKind).add(m);
  return [...metrics.values()].filter((m) => ownKind.has(m.key) || !otherKind.has(m.key));
}

/** Band i > 0 holds values in [2^(i-1), 2^i); band 0 everything below 1; the last, 2^52 and above. */
export const BAND_BOUNDS: readonly number[] = Array.from({ length: 53 }, (_, i) => 2 ** i);

/** The values a band holds: `min ≤ value < max` (null: unbounded). */
export function bandRange(band: number): { min: number | null; max: number | null } {
  return {
    min: band === 0 ? null : (BAND_BOUNDS[band - 1] ?? null),
    max: BAND_BOUNDS[band] ?? null,
  };
}

/**
 * A mean as the response states it: money to the nearest integer minor unit, anything else to two
 * decimals, halves away from zero; null when nothing was counted.
 */
function mean(total: number, count: number, unit: MetricDef['unit']): number | null {
  return count === 0 ? null : round(total / count, unit);
}

function round(x: number, unit: MetricDef['unit']): number {
  const scale = unit === 'money' ? 1 : 100;
  const r = (Math.sign(x) * Math.round(Math.abs(x) * scale)) / scale;
  return r === 0 ? 0 : r;
}

interface Sums {
  count: number;
  sum: number;
  changeSum: number;
}

/** The figures of one group over the months of the follow-up (the wire shapes, shared with the admin kit). */
export type GroupSeries = EffectGroupSeries;

export type Stratum = EffectStratum;

export type EffectEvaluation = EffectResponse;

export interface EffectQuery {
  readonly period: string;
  readonly direction: 'up' | 'down';
  readonly months: number;
  readonly metric: MetricDef;
  /**
   * The engine reads this metric with no window for the scheme's kind of subject (the compiled pack's
   * `latestMetricsFor`): a month without an observation holds the latest one, none reads as 0.
   */
  readonly carriedForward: boolean;
  /** `exclude`: movers an override moved are no movers (counted in `cohorts.overrideMoved`). */
  readonly overrides: 'exclude' | 'include';
}

function series(months: number, pick: (i: number) => Sums, unit: MetricDef['unit']): GroupSeries {
  const all = Array.from({ length: months + 1 }, (_, i) => pick(i));
  return {
    counts: all.map((s) => s.count),
    meanValue: all.map((s) => mean(s.sum, s.count, unit)),
    meanChange: all.map((s) => mean(s.changeSum, s.count, unit)),
  };
}

/** Compare the customers who moved `direction` in `period` with comparable ones who stayed. */
export async function evaluateEffect(
  db: Executor,
  tenantId: string,
  def: SchemeDefinition,
  q: EffectQuery,
  clock: AnalyticsClock,
): Promise<EffectEvaluation> {
  // Follow-up months that have not begun have no history yet (the other analytics refuse such a month,
  // `month_not_begun`): they are left out, and `monthsAvailable` says how many of those asked are here.
  const months = Math.max(0, Math.min(q.months, monthsBetween(q.period, periodOf(clock.now(), clock.timeZone))));
  const through = addMonths(q.period, months);
  const before = addMonths(q.period, -1);
  const cq: EffectCohortQuery = {
    scheme: def.key,
    period: q.period,
    before,
    beforeEnd: periodEnd(before, clock.timeZone),
    through,
    direction: q.direction,
    ranks: levelRanks(def),
    metric: q.metric.key,
    holding: q.carriedForward,
    overrides: q.overrides,
    bandBounds: BAND_BOUNDS,
    inForceAt: inForceAt(clock, q.period),
  };
  const { sizes, months: rows } = await effectCohorts(db, tenantId, cq);
  const evaluatedThrough = await latestEvaluatedPeriod(db, tenantId, def.key);
  const settled = finalThrough(clock, evaluatedThrough);
  const unit = q.metric.unit;

  // month index → stratum key → group → sums
  const byMonth = Array.from({ length: months + 1 }, () => new Map<string, { moved?: CohortMonth; stayed?: CohortMonth }>());
  for (const r of rows) {
    const cell = byMonth[monthsBetween(q.period, r.period)];
    if (!cell) continue;
    const key = `${r.startLevel}\u0000${r.band}`;
    const entry = cell.get(key) ?? {};
    entry[r.group] = r;
    cell.set(key, entry);
  }
  // Stayers count where they can be compared: in the strata that hold a mover in the month of the move.
  const withMovers = new Set([...(byMonth[0] ?? new Map()).entries()].flatMap(([key, e]) => (e.moved ? [key] : [])));
  const total = (i: number, group: 'moved' | 'stayed'): Sums => {
    const out = { count: 0, sum: 0, changeSum: 0 };
    for (const [key, e] of byMonth[i] ?? []) {
      if (group === 'stayed' && !withMovers.has(key)) continue;
      const r = e[group];
      if (!r) continue;
      out.count += r.count;
      out.sum += r.sum;
      out.changeSum += r.changeSum;
    }
    return out;
  };

  const matchedMoved: number[] = [];
  const matchedStayed: number[] = [];
  const movedChange: (number | null)[] = [];
  const stayedChange: (number | null)[] = [];
  const effect: (number | null)[] = [];
  for (const cell of byMonth) {
    let nMoved = 0;
    let nStayed = 0;
    let movedSum = 0;
    let weighted = 0;
    for (const { moved, stayed } of cell.values()) {
      if (!moved || !stayed) continue;
      nMoved += moved.count;
      nStayed += stayed.count;
      movedSum += moved.changeSum;
      weighted += moved.count * (stayed.changeSum / stayed.count);
    }
    matchedMoved.push(nMoved);
    matchedStayed.push(nStayed);
    movedChange.push(nMoved === 0 ? null : round(movedSum / nMoved, unit));
    stayedChange.push(nMoved === 0 ? null : round(weighted / nMoved, unit));
    effect.push(nMoved === 0 ? null : round((movedSum - weighted) / nMoved, unit));
  }

  const strata: Stratum[] = [...(byMonth[0]?.entries() ?? [])]
    .map(([, e]) => {
      const any = (e.moved ?? e.stayed) as CohortMonth;
      const { min, max } = bandRange(any.band);
      return {
        startLevel: any.startLevel,
        band: any.band,
        bandMin: min,
        bandMax: max,
        moved: e.moved?.count ?? 0,
        stayed: e.stayed?.count ?? 0,
      };
    })
    .sort((a, b) => (levelRanks(def).get(a.startLevel) ?? 0) - (levelRanks(def).get(b.startLevel) ?? 0) || a.band - b.band);

  return {
    scheme: def.key,
    metric: { key: q.metric.key, unit, ...(q.metric.currency ? { currency: q.metric.currency } : {}) },
    direction: q.direction,
    overrides: q.overrides,
    period: q.period,
    evaluated: evaluatedThrough !== null && q.period <= evaluatedThrough,
    evaluatedThrough,
    // Of the cohorts (who moved in \`period\`, who stayed, who an override held); the follow-up months'
    // metrics may still arrive.
    final: settled !== null && q.period <= settled,
    finalThrough: settled,
    before,
    periods: monthRange(q.period, through),
    monthsAfter: Array.from({ length: months + 1 }, (_, i) => i),
    monthsAsked: q.months,
    monthsAvailable: months,
    cohorts: {
      moved: sizes.find((s) => s.group === 'moved')?.count ?? 0,
      stayed: sizes.find((s) => s.group === 'stayed')?.count ?? 0,
      overrideMoved: sizes.find((s) => s.group === 'override-moved')?.count ?? 0,
      heldByOverride: sizes.find((s) => s.group === 'held-by-override')?.count ?? 0,
    },
    strata,
    moved: series(months, (i) => total(i, 'moved'), unit),
    stayed: series(months, (i) => total(i, 'stayed'), unit),
    matched: {
      moved: { counts: matchedMoved, meanChange: movedChange },
      stayed: { counts: matchedStayed, meanChange: stayedChange },
      effect,
    },
  };
}
