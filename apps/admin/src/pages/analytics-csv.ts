import type { DistributionResponse, EffectResponse, MigrationResponse, RatesResponse } from '@tierkit/admin';
import type { CsvCell } from '../csv.js';
import { standaloneName } from '../scheme-names.js';
import type { ConsoleLocale } from '../words.js';
import { bandLimits } from './analytics-effect-view.js';
import { ANALYTICS_WORDS } from './analytics.words.js';

/*
 * Each analytics table as CSV rows, from the answer already on the page: the same columns and words
 * as the table, and every figure a number a spreadsheet can compute with (money in yuan with two
 * decimals, shares and rates as decimals), its unit in the column's header rather than in the cell.
 * Written out by csvText (@tierkit/core/csv).
 */

type Metric = EffectResponse['metric'];

/** A figure of `metric` as a number in the unit {@link unitNote} names: money in major units, 2 decimals. */
function figure(v: number | null | undefined, metric: Metric): number | null {
  if (v === null || v === undefined) return null;
  if (metric.unit === 'money') return Math.round(v) / 100;
  if (metric.unit === 'boolean') return Math.round(v * 10_000) / 10_000;
  return v;
}

/** What a header adds for a figure of `metric`: its currency, or that it is a share (0–1). */
function unitNote(metric: Metric): string {
  if (metric.unit === 'money') return ` (${metric.currency ?? 'CNY'})`;
  if (metric.unit === 'boolean') return ' (0–1)';
  return '';
}

/** A rate as a decimal (0.125, not 12.50%): the header says it is a share. */
function rate(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Math.round(v * 10_000) / 10_000;
}

type Rows = CsvCell[][];

/** How the page names things: levels of the scheme shown, and the metric in the catalogue's words. */
export interface CsvNames {
  readonly locale: ConsoleLocale;
  readonly level: (key: string) => string;
  readonly metric: (key: string) => string;
}

/** A month's status in words: not evaluated yet, provisional, or nothing (evaluated and final). */
function status(w: (typeof ANALYTICS_WORDS)[ConsoleLocale], evaluated: boolean | undefined, final: boolean | undefined): string {
  return evaluated === false ? w.notEvaluated : final === false ? w.provisional : '';
}

/** The policy version in force for month `i` as `v3`; empty when none (or an older server that does not send them). */
function version(versions: readonly (number | null)[] | undefined, i: number): string {
  const v = versions?.[i];
  return v === null || v === undefined ? '' : `v${v}`;
}

export function distributionRows(d: DistributionResponse, n: CsvNames): Rows {
  const w = ANALYTICS_WORDS[n.locale];
  return [
    [w.month, ...d.levels.map(n.level), w.total, w.monthStatus, w.policyVersion],
    ...d.periods.map((p, i) => [
      p,
      ...d.series.map((s) => s.counts[i] ?? 0),
      d.totals[i] ?? 0,
      status(w, d.evaluated[i], d.final[i]),
      version(d.versions, i),
    ]),
  ];
}

export function migrationRows(m: MigrationResponse, n: CsvNames): Rows {
  const w = ANALYTICS_WORDS[n.locale];
  return [
    [`${w.fromLevel(m.from)} \\ ${w.toLevel(m.to)}`, ...m.levels.map(n.level)],
    ...m.levels.map((from, i) => [n.level(from), ...m.levels.map((_, j) => m.matrix[i]?.[j] ?? 0)]),
    [w.entered, ...m.entered],
  ];
}

export function ratesRows(r: RatesResponse, n: CsvNames): Rows {
  const w = ANALYTICS_WORDS[n.locale];
  return [
    [
      w.month,
      w.base,
      w.policyUpgrades,
      `${w.policyUpgradeRate} (0–1)`,
      w.policyDowngrades,
      `${w.policyDowngradeRate} (0–1)`,
      w.overrideUpgrades,
      w.overrideDowngrades,
      w.monthStatus,
      w.policyVersion,
    ],
    ...r.periods.map((p, i) => {
      const policy = (v: CsvCell): CsvCell => (r.evaluated[i] === false ? w.notEvaluated : v);
      return [
        p,
        r.base[i] ?? 0,
        policy(r.policy.upgrades[i] ?? 0),
        policy(rate(r.policy.upgradeRate[i])),
        policy(r.policy.downgrades[i] ?? 0),
        policy(rate(r.policy.downgradeRate[i])),
        r.override.upgrades[i] ?? 0,
        r.override.downgrades[i] ?? 0,
        status(w, r.evaluated[i], r.final[i]),
        version(r.versions, i),
      ];
    }),
  ];
}

/**
 * The effect evaluation: what was asked (so the figures can be reproduced), the cohorts, the matched
 * comparison by month, then the strata with their band limits.
 */
export function effectRows(e: EffectResponse, n: CsvNames): Rows {
  const w = ANALYTICS_WORDS[n.locale];
  const metric = n.metric(e.metric.key);
  const value = (v: number | null | undefined) => figure(v, e.metric);
  const u = unitNote(e.metric);
  return [
    [w.period, e.period],
    [w.direction, e.direction === 'down' ? w.down : w.up],
    [w.metric, standaloneName(metric, n.locale)],
    [w.overrides, e.overrides === 'include' ? w.overridesInclude : w.overridesExclude],
    [w.movedN, e.cohorts.moved],
    [w.stayedN, e.cohorts.stayed],
    [],
    [w.monthsAfter, w.month, w.movedN, `${w.movedChange}${u}`, w.stayedN, `${w.stayedChange}${u}`, `${w.effectCol}${u}`],
    ...e.monthsAfter.map((k, i) => [
      k,
      e.periods[i],
      e.matched.moved.counts[i] ?? 0,
      value(e.matched.moved.meanChange[i]),
      e.matched.stayed.counts[i] ?? 0,
      value(e.matched.stayed.meanChange[i]),
      value(e.matched.effect[i]),
    ]),
    [],
    [w.strataCaption(metric)],
    ...strataRows(e, n),
  ];
}

/** The strata table: level before the move, band limits in the metric's unit, movers, stayers, compared. */
export function strataRows(e: EffectResponse, n: CsvNames): Rows {
  const w = ANALYTICS_WORDS[n.locale];
  const u = e.metric.unit === 'boolean' ? '' : unitNote(e.metric);
  return [
    [w.startLevel, `${w.bandFrom}${u}`, `${w.bandTo}${u}`, w.movedN, w.stayedN, w.compared],
    ...e.strata.map((s) => {
      // A yes/no holding's limits are words (no / yes); any other metric's, numbers in its unit.
      const b = e.metric.unit === 'boolean' ? bandLimits(s.bandMin, s.bandMax, e.metric, n.locale) : undefined;
      const min = b ? (b.min ?? w.none) : figure(s.bandMin, e.metric);
      const max = b ? (b.max ?? w.none) : figure(s.bandMax, e.metric);
      return [n.level(s.startLevel), min, max, s.moved, s.stayed, s.moved > 0 && s.stayed > 0 ? w.yes : w.no];
    }),
  ];
}
