import type { DistributionResponse, EffectResponse, MigrationResponse, RatesResponse } from '@tierkit/admin';
import type { CsvCell } from '../csv.js';
import type { ConsoleLocale } from '../words.js';
import { bandLimits } from './analytics-effect-view.js';
import { meanText } from './analytics-format.js';
import { ANALYTICS_WORDS } from './analytics.words.js';

/*
 * Each analytics table as CSV rows, from the answer already on the page: the same columns and words
 * as the table, counts as numbers, means and rates as the page writes them (¥2,060.24, 12.50%), so a
 * deck shows what the console showed. Written out by csvText (../csv.ts).
 */

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

export function distributionRows(d: DistributionResponse, n: CsvNames): Rows {
  const w = ANALYTICS_WORDS[n.locale];
  return [
    [w.month, ...d.levels.map(n.level), w.total, ''],
    ...d.periods.map((p, i) => [p, ...d.series.map((s) => s.counts[i] ?? 0), d.totals[i] ?? 0, status(w, d.evaluated[i], d.final[i])]),
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
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? w.none : `${(Math.round(v * 10_000) / 100).toFixed(2)}%`);
  return [
    [
      w.month,
      w.base,
      w.policyUpgrades,
      w.policyUpgradeRate,
      w.policyDowngrades,
      w.policyDowngradeRate,
      w.overrideUpgrades,
      w.overrideDowngrades,
      '',
    ],
    ...r.periods.map((p, i) => {
      const policy = (v: CsvCell): CsvCell => (r.evaluated[i] === false ? w.notEvaluated : v);
      return [
        p,
        r.base[i] ?? 0,
        policy(r.policy.upgrades[i] ?? 0),
        policy(pct(r.policy.upgradeRate[i])),
        policy(r.policy.downgrades[i] ?? 0),
        policy(pct(r.policy.downgradeRate[i])),
        r.override.upgrades[i] ?? 0,
        r.override.downgrades[i] ?? 0,
        status(w, r.evaluated[i], r.final[i]),
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
  const value = (v: number | null | undefined) => (v === null || v === undefined ? w.none : meanText(v, e.metric, n.locale));
  return [
    [w.period, e.period],
    [w.direction, e.direction === 'down' ? w.down : w.up],
    [w.metric, metric],
    [w.overrides, e.overrides === 'include' ? w.overridesInclude : w.overridesExclude],
    [w.movedN, e.cohorts.moved],
    [w.stayedN, e.cohorts.stayed],
    [],
    [w.monthsAfter, w.month, w.movedN, w.movedChange, w.stayedN, w.stayedChange, w.effectCol],
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
  return [
    [w.startLevel, w.bandFrom, w.bandTo, w.movedN, w.stayedN, w.compared],
    ...e.strata.map((s) => {
      const b = bandLimits(s.bandMin, s.bandMax, e.metric, n.locale);
      return [n.level(s.startLevel), b.min ?? w.none, b.max ?? w.none, s.moved, s.stayed, s.moved > 0 && s.stayed > 0 ? w.yes : w.no];
    }),
  ];
}
