import type { MetricDef, MetricUnit } from '../model/metric.js';

/*
 * What `GET /v1/analytics/*` sends, laid out for charts: months as one array, every series a
 * parallel array of integer counts, each ratio or mean beside the count behind it. Arrays are plain
 * (not readonly) as the API's response schemas (packages/api/src/schemas/analytics.ts) declare them.
 */

/** Subjects per level and month. */
export interface DistributionResponse {
  readonly scheme: string;
  /** Months `YYYY-MM`, oldest first. */
  readonly periods: string[];
  /**
   * Per month: has the rules' evaluation (a re-tier) reached it? A month not evaluated shows the levels
   * carried over from the last evaluated month (and any override decided in it), not a result.
   */
  readonly evaluated: boolean[];
  /** The last month the scheme's levels were evaluated at (null: never). */
  readonly evaluatedThrough: string | null;
  /**
   * Per month: are its figures final? Evaluated, and the month after it over in the bank's calendar:
   * until then an override approved may still set back the month's move (held by override).
   */
  readonly final: boolean[];
  /** The last final month (null: none): `evaluatedThrough`, never later than two months before the current one. */
  readonly finalThrough: string | null;
  /** Level keys in rank order (then any the history holds that the scheme no longer has). */
  readonly levels: string[];
  /** One entry per level (same order as `levels`), one count per month (same order as `periods`). */
  readonly series: { level: string; counts: number[] }[];
  /** Subjects tiered in each month: the sum of the series. */
  readonly totals: number[];
  /**
   * Per month (same order as `periods`): the version of the scheme's policy in force for it (null:
   * none), so an export says under which rules each month's figures were judged.
   */
  readonly versions: (number | null)[];
}

/** The from × to matrix of levels between two months. */
export interface MigrationResponse {
  readonly scheme: string;
  readonly from: string;
  readonly to: string;
  /**
   * Whether `to` has been evaluated; when not, its levels are carried over: of its own moves (those
   * recorded in `to` itself) only overrides' are there. `up`/`down` still count every move, by the
   * policy too, made in the months between `from` and `to`.
   */
  readonly evaluated: boolean;
  readonly evaluatedThrough: string | null;
  /** Whether the figures of `to` are final (see {@link DistributionResponse.final}). */
  readonly final: boolean;
  readonly finalThrough: string | null;
  readonly levels: string[];
  /** `matrix[i][j]`: subjects at `levels[i]` in `from` and `levels[j]` in `to`. */
  readonly matrix: number[][];
  /** Subjects tiered in `to` that were not yet in `from`, by their level in `to` (same order as `levels`). */
  readonly entered: number[];
  readonly totals: {
    /** Subjects tiered in both months: the sum of the matrix (`up + down + same + unranked + heldByOverride`). */
    readonly both: number;
    readonly up: number;
    readonly down: number;
    /** At the same level in both months by the rules (not counting `heldByOverride`). */
    readonly same: number;
    /** Pairs where one level is no longer in the scheme, so neither up nor down. */
    readonly unranked: number;
    /**
     * Kept at their level at `to` by an override, not the rules: at the level of `from`, set by an
     * override's approval (before or after `from`), with the override deciding at the close of `to`
     * (now, in the current month; of those in force the one approved last) at that level — a floor
     * below it or an override at another level leaves them to the rules (`same`); or moved by the rules
     * in `to` and set back by an override's approval the month after (the pair off the diagonal), or
     * that approval in `to` of the rules' move of the month before. In no `up`, `down` or `same`.
     * Not {@link RatesResponse.heldByOverride} of `to`, which counts only the moves set back in the
     * month: this also counts whoever an override still holds at the close of `to`, moved or not.
     */
    readonly heldByOverride: number;
    /** The sum of `entered`. */
    readonly entered: number;
  };
  /** The matrix and moves of subjects whose level at `to` the rules set (or nothing moved since `from` and no override holds). */
  readonly policy: MigrationByCause;
  /**
   * Those whose level at `to` an override's event set after `from` (its approval, or its end giving the
   * level back to the rules), or that an override approved before `from` still holds at the close of
   * `to`: `policy.matrix + override.matrix = matrix`. `heldByOverride` are on its
   * diagonal, but for those whose override came the month after `to` (in `policy.matrix`, off it).
   */
  readonly override: MigrationByCause;
}

/** The part of a migration matrix of one cause: what set each subject's level held at `to`. */
export interface MigrationByCause {
  /** Same layout as {@link MigrationResponse.matrix}. */
  readonly matrix: number[][];
  readonly totals: { readonly up: number; readonly down: number; readonly same: number; readonly unranked: number };
}

/** The up- and downgrades of one cause (the rules, or overrides), per month, over the same `base`. */
export interface RatesByCause {
  readonly upgrades: number[];
  readonly downgrades: number[];
  /** `upgrades / base`, four decimals; null when `base` is 0, and the policy's when the month is not evaluated. */
  readonly upgradeRate: (number | null)[];
  readonly downgradeRate: (number | null)[];
}

/** Monthly up- and downgrade rates. */
export interface RatesResponse {
  readonly scheme: string;
  readonly periods: string[];
  /** Per month: evaluated by the rules yet (see {@link DistributionResponse.evaluated}). */
  readonly evaluated: boolean[];
  readonly evaluatedThrough: string | null;
  /** Per month: final (see {@link DistributionResponse.final}). */
  readonly final: boolean[];
  readonly finalThrough: string | null;
  /**
   * Per month (same order as `periods`): the version of the scheme's policy in force for it (null:
   * none), so an export says under which rules each month's figures were judged.
   */
  readonly versions: (number | null)[];
  /** Subjects tiered at the end of the month before: the denominator of both rates. */
  readonly base: number[];
  readonly upgrades: number[];
  readonly downgrades: number[];
  /** Subjects of `base` whose level changed to or from one the scheme no longer has. */
  readonly unranked: number[];
  /** Subjects first tiered in the month (not in `base`, so in no rate). */
  readonly entered: number[];
  /**
   * Subjects of `base` the rules moved in the month and an override's approval set back to the level
   * they began it with, within the month or the month after (that approval is then no move of its
   * own): no stayers by the rules, in no rate. Moves undone, whatever became of the override since: a
   * customer an override holds with no move in the month is not here but in the migration of the
   * month before to this one ({@link MigrationResponse.totals}`.heldByOverride`).
   */
  readonly heldByOverride: number[];
  /**
   * `upgrades / base` and `downgrades / base` (every move, both causes), four decimals; null when
   * `base` is 0 or the month is not evaluated (its moves are not all known yet: never 0 %).
   */
  readonly upgradeRate: (number | null)[];
  readonly downgradeRate: (number | null)[];
  /** The moves the rules made: `upgrades` and `downgrades` less the overrides'. */
  readonly policy: RatesByCause;
  /** The moves an override made, or its end gave back to the rules (approved, revoked or expired). */
  readonly override: RatesByCause;
}

/** The figures of one group over the months of the follow-up, month 0 being the month of the move. */
export interface EffectGroupSeries {
  /** Subjects with the metric in the month of the move and in this month: the count behind both means. */
  readonly counts: number[];
  readonly meanValue: (number | null)[];
  /** Mean of (value in this month − value in the month of the move). */
  readonly meanChange: (number | null)[];
}

/** One stratum of the month of the move: level before × baseline band. */
export interface EffectStratum {
  readonly startLevel: string;
  readonly band: number;
  readonly bandMin: number | null;
  readonly bandMax: number | null;
  /** Subjects with the metric in the month of the move. */
  readonly moved: number;
  readonly stayed: number;
}

/** `GET /v1/analytics/metrics`: what an effect evaluation may follow, the tenant's metric catalogue. */
export interface EffectMetricsResponse {
  readonly items: readonly MetricDef[];
  /** What `GET /v1/analytics/effect` follows when asked for no metric; null when the catalogue is empty. */
  readonly default: string | null;
}

/** Money in integer minor units: means rounded to the nearest fen. */
export interface EffectResponse {
  readonly scheme: string;
  readonly metric: { readonly key: string; readonly unit: MetricUnit; readonly currency?: string };
  readonly direction: 'up' | 'down';
  /** The month of the move: level in `period` against level in `before`. */
  readonly period: string;
  readonly before: string;
  /** `period` and the months after it that have begun (the bank's calendar), at most `monthsAsked`. */
  readonly periods: string[];
  readonly monthsAfter: number[];
  /** The months of follow-up asked for (`months`). */
  readonly monthsAsked: number;
  /** How many of them have begun and are in `periods` (fewer than asked when the move is recent). */
  readonly monthsAvailable: number;
  /** `exclude` (the default): movers an override moved are left out of `moved`; `include`: they are movers. */
  readonly overrides: 'exclude' | 'include';
  /** Whether the month of the move has been evaluated by the rules; when not, it has no policy movers yet. */
  readonly evaluated: boolean;
  readonly evaluatedThrough: string | null;
  /** Whether the cohorts of `period` are final (see {@link DistributionResponse.final}); later metrics may still arrive. */
  readonly final: boolean;
  readonly finalThrough: string | null;
  /**
   * Cohort sizes, whether or not they have the metric. `overrideMoved`: subjects an override moved
   * in the direction asked, left out of the comparison (0 with `overrides=include`: they are in `moved`).
   */
  readonly cohorts: {
    readonly moved: number;
    readonly stayed: number;
    readonly overrideMoved: number;
    /**
     * Moved by the rules in `period` and set back by an override's approval in it or the month after
     * (or that approval, in `period`, of the month before's move), or at the same level held by the
     * override deciding at the close of `period` (as the migration's): neither stayers nor movers.
     */
    readonly heldByOverride: number;
  };
  readonly strata: EffectStratum[];
  /**
   * Every mover with a baseline, and every stayer with one in a stratum that holds a mover (unweighted;
   * stayers compared with nobody are only counted in `strata`).
   */
  readonly moved: EffectGroupSeries;
  readonly stayed: EffectGroupSeries;
  /** Only strata that have both movers and stayers in the month; stayers weighted to the movers' mix. */
  readonly matched: {
    readonly moved: { readonly counts: number[]; readonly meanChange: (number | null)[] };
    readonly stayed: { readonly counts: number[]; readonly meanChange: (number | null)[] };
    /** Matched movers' mean change minus matched stayers' (from unrounded means, then rounded). */
    readonly effect: (number | null)[];
  };
}
