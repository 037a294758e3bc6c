import type { MetricUnit } from '@tierkit/core';

/*
 * Wire types of `GET /v1/analytics/*` (packages/api/src/schemas/analytics.ts): months as one array,
 * every series a parallel array of integer counts, each ratio or mean beside the count behind it.
 */

export interface DistributionResponse {
  readonly scheme: string;
  /** Months `YYYY-MM`, oldest first. */
  readonly periods: readonly string[];
  /** Level keys in rank order (then any the history holds that the scheme no longer has). */
  readonly levels: readonly string[];
  readonly series: readonly { readonly level: string; readonly counts: readonly number[] }[];
  /** Subjects tiered in each month. */
  readonly totals: readonly number[];
}

export interface MigrationResponse {
  readonly scheme: string;
  readonly from: string;
  readonly to: string;
  readonly levels: readonly string[];
  /** `matrix[i][j]`: subjects at `levels[i]` in `from` and `levels[j]` in `to`. */
  readonly matrix: readonly (readonly number[])[];
  /** Subjects first tiered after `from`, by their level in `to`. */
  readonly entered: readonly number[];
  readonly totals: {
    readonly both: number;
    readonly up: number;
    readonly down: number;
    readonly same: number;
    readonly unranked: number;
    readonly entered: number;
  };
}

export interface RatesResponse {
  readonly scheme: string;
  readonly periods: readonly string[];
  /** Subjects tiered in the month before: the denominator of both rates. */
  readonly base: readonly number[];
  readonly upgrades: readonly number[];
  readonly downgrades: readonly number[];
  readonly unranked: readonly number[];
  readonly entered: readonly number[];
  /** `upgrades / base`, four decimals; null when `base` is 0. */
  readonly upgradeRate: readonly (number | null)[];
  readonly downgradeRate: readonly (number | null)[];
}

export interface EffectGroupSeries {
  /** Subjects with the metric in the month of the move and in this month. */
  readonly counts: readonly number[];
  readonly meanValue: readonly (number | null)[];
  /** Mean of (value this month − value in the month of the move). */
  readonly meanChange: readonly (number | null)[];
}

/** Money in integer minor units: means rounded to the nearest fen. */
export interface EffectResponse {
  readonly scheme: string;
  readonly metric: { readonly key: string; readonly unit: MetricUnit; readonly currency?: string };
  readonly direction: 'up' | 'down';
  /** The month of the move. */
  readonly period: string;
  readonly before: string;
  readonly periods: readonly string[];
  readonly monthsAfter: readonly number[];
  readonly cohorts: { readonly moved: number; readonly stayed: number };
  readonly strata: readonly {
    readonly startLevel: string;
    readonly band: number;
    readonly bandMin: number | null;
    readonly bandMax: number | null;
    readonly moved: number;
    readonly stayed: number;
  }[];
  readonly moved: EffectGroupSeries;
  readonly stayed: EffectGroupSeries;
  readonly matched: {
    readonly moved: { readonly counts: readonly number[]; readonly meanChange: readonly (number | null)[] };
    readonly stayed: { readonly counts: readonly number[]; readonly meanChange: readonly (number | null)[] };
    /** Matched movers' mean change minus the stayers' weighted to the movers' strata. */
    readonly effect: readonly (number | null)[];
  };
}
