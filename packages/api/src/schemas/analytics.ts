import { z } from '@hono/zod-openapi';
import { METRIC_UNITS } from '@tierkit/core';
import { MetricDefSchema } from './common.js';

/*
 * OpenAPI schemas of the analytics responses (services/level-analytics.ts, services/effect-evaluation.ts).
 * Laid out for charts: months as one array, every series a parallel array of integer counts, and
 * each ratio or mean next to the count behind it.
 */

const Periods = z.array(z.string()).openapi({ description: 'Months `YYYY-MM`, oldest first', example: ['2025-09', '2025-10'] });
const Counts = z.array(z.number().int());
const Means = z.array(z.number().nullable());
const Evaluated = z.array(z.boolean()).openapi({
  description:
    'Per month: whether the rules have evaluated it (its re-tier ran). A month not evaluated — the current one until its re-tier, or one whose re-tier has not run — shows the levels carried over from the last evaluated month and the overrides decided in it: not a result',
});
const EvaluatedThrough = z
  .string()
  .nullable()
  .openapi({ description: 'The last month the rules evaluated any level of the scheme at (`YYYY-MM`); null: never', example: '2025-10' });
const Final = z.array(z.boolean()).openapi({
  description:
    'Per month: whether its figures are final — evaluated, and the month after it over in the bank’s calendar (an override approved in that month may still set back the month’s move: held by override). Until then they are provisional',
});
const FinalThrough = z.string().nullable().openapi({
  description: 'The last final month (`YYYY-MM`): `evaluatedThrough`, but never later than two months before the current one; null: none',
  example: '2025-09',
});
const RatesByCauseSchema = z
  .object({
    upgrades: Counts,
    downgrades: Counts,
    upgradeRate: Means.openapi({ description: '`upgrades / base`, four decimals; null when `base` is 0' }),
    downgradeRate: Means,
  })
  .openapi('RatesByCause');

const MigrationByCauseSchema = z
  .object({
    matrix: z.array(Counts).openapi({ description: 'Same layout as the migration’s `matrix`' }),
    totals: z.object({ up: z.number().int(), down: z.number().int(), same: z.number().int(), unranked: z.number().int() }),
  })
  .openapi('MigrationByCause');

export const DistributionResponseSchema = z
  .object({
    scheme: z.string(),
    periods: Periods,
    evaluated: Evaluated,
    evaluatedThrough: EvaluatedThrough,
    final: Final,
    finalThrough: FinalThrough,
    levels: z
      .array(z.string())
      .openapi({ description: 'Level keys in rank order (then any the history holds that the scheme no longer has)' }),
    series: z.array(z.object({ level: z.string(), counts: Counts })).openapi({ description: 'One per level; one count per month' }),
    totals: Counts.openapi({ description: 'Subjects tiered in each month' }),
    versions: z.array(z.number().int().nullable()).openapi({
      description: 'Per month: the version of the scheme’s policy in force for it (null: none), as the re-tier of that month judged by',
    }),
  })
  .openapi('DistributionResponse');

export const MigrationResponseSchema = z
  .object({
    scheme: z.string(),
    from: z.string(),
    to: z.string(),
    evaluated: z.boolean().openapi({
      description:
        'Whether `to` has been evaluated by the rules; when not, its levels are carried over and the moves recorded in `to` itself are overrides’ only (moves of the months between `from` and `to`, by the policy too, are still counted)',
    }),
    evaluatedThrough: EvaluatedThrough,
    final: z
      .boolean()
      .openapi({ description: 'Whether the figures of `to` are final (see `DistributionResponse.final`); until then provisional' }),
    finalThrough: FinalThrough,
    levels: z.array(z.string()),
    matrix: z.array(Counts).openapi({ description: '`matrix[i][j]`: subjects at `levels[i]` in `from` and `levels[j]` in `to`' }),
    entered: Counts.openapi({ description: 'Subjects first tiered after `from`, by their level in `to`' }),
    totals: z.object({
      both: z.number().int().openapi({ description: 'Tiered in both months: `up + down + same + unranked + heldByOverride`' }),
      up: z.number().int(),
      down: z.number().int(),
      same: z.number().int().openapi({ description: 'At the same level in both months by the rules (not `heldByOverride`)' }),
      unranked: z.number().int(),
      heldByOverride: z.number().int().openapi({
        description:
          'Tiered in both months and kept at their level at `to` by an override, not the rules: at the level of `from`, set by an override’s approval (before or after `from`) and held by the override deciding at the close of `to` in the bank’s calendar (now, in the current month): of those approved before it and not ended by it, the one approved last, at that level (a floor below it, or an override at another level, leaves them to the rules: `same`); or moved by the rules in `to` and set back by an override’s approval the month after (the pair off the diagonal, whatever became of the override), or that approval in `to` of the rules’ move of the month before. In no `up`, `down` or `same`. Not the same count as `rates.heldByOverride` of `to`: that one counts only the moves set back in the month, while this one also counts whoever an override still holds at the close of `to`, with or without a move (README “Held by an override”)',
      }),
      entered: z.number().int(),
    }),
    policy: MigrationByCauseSchema.openapi({
      description: 'Subjects whose level at `to` the rules set, or that nothing moved since `from` and no override holds at its close',
    }),
    override: MigrationByCauseSchema.openapi({
      description:
        'Subjects whose level at `to` an override’s event set after `from` (approved, or its end: history reasons `override`, `override-expired`), or whom an override approved before `from` still holds at that level at the close of `to` (`heldByOverride`); `policy.matrix + override.matrix = matrix`',
    }),
  })
  .openapi('MigrationResponse');

export const RatesResponseSchema = z
  .object({
    scheme: z.string(),
    periods: Periods,
    evaluated: Evaluated,
    evaluatedThrough: EvaluatedThrough,
    final: Final,
    finalThrough: FinalThrough,
    versions: z.array(z.number().int().nullable()).openapi({
      description: 'Per month: the version of the scheme’s policy in force for it (null: none), as the re-tier of that month judged by',
    }),
    base: Counts.openapi({ description: 'Subjects tiered in the month before: the denominator of both rates' }),
    upgrades: Counts.openapi({ description: 'Every move up, both causes: `policy.upgrades + override.upgrades`' }),
    downgrades: Counts,
    unranked: Counts,
    entered: Counts.openapi({ description: 'Subjects first tiered in the month (in no rate)' }),
    heldByOverride: Counts.openapi({
      description:
        'Subjects of `base` the rules moved in the month and an override’s approval set back to the level they began it with, within the month or the month after (that approval is then no move of its own): in no rate, no stayers by the rules. Moves undone in the month, whatever became of the override since: a customer an override holds with no move in the month is not counted here, but is in `migration?from=P-1&to=P` `totals.heldByOverride`, which asks which override decides at the close of P (README “Held by an override”)',
    }),
    upgradeRate: Means.openapi({
      description:
        '`upgrades / base`, four decimals; null when `base` is 0 or the month is not `evaluated` (never 0 % for a month whose re-tier has not run)',
    }),
    downgradeRate: Means,
    policy: RatesByCauseSchema.openapi({
      description:
        'The moves the rules made (the level’s last event of the month is not an override’s); rates null for a month not `evaluated`',
    }),
    override: RatesByCauseSchema.openapi({
      description:
        'The moves an override made, or its end gave back to the rules (approved, revoked or expired; history reasons `override`, `override-expired`), in the month it was decided',
    }),
  })
  .openapi('RatesResponse');

const GroupSeriesSchema = z.object({
  counts: Counts.openapi({ description: 'Subjects with the metric in the month of the move and in this month' }),
  meanValue: Means,
  meanChange: Means.openapi({ description: 'Mean of (value this month − value in the month of the move)' }),
});

export const EffectResponseSchema = z
  .object({
    scheme: z.string(),
    metric: z.object({ key: z.string(), unit: z.enum(METRIC_UNITS), currency: z.string().optional() }),
    direction: z.enum(['up', 'down']),
    overrides: z.enum(['exclude', 'include']).openapi({
      description:
        '`exclude`: movers an override moved are left out of `moved` (counted in `cohorts.overrideMoved`); `include`: they are movers',
    }),
    period: z.string().openapi({ description: 'The month of the move' }),
    evaluated: z
      .boolean()
      .openapi({ description: 'Whether the month of the move has been evaluated by the rules; when not, it has no policy movers yet' }),
    evaluatedThrough: EvaluatedThrough,
    final: z.boolean().openapi({
      description:
        'Whether the cohorts of `period` are final (see `DistributionResponse.final`); the follow-up months’ metrics may still arrive',
    }),
    finalThrough: FinalThrough,
    before: z.string().openapi({ description: 'The month before it: the level the move is measured from' }),
    periods: Periods.openapi({
      description:
        'The month of the move and the follow-up months that have begun (the bank’s calendar): a month not begun has no history yet, so it is left out rather than given as null means',
    }),
    monthsAfter: Counts,
    monthsAsked: z.number().int().openapi({ description: 'The months of follow-up asked for (`months`)' }),
    monthsAvailable: z.number().int().openapi({
      description:
        'How many of them have begun and are returned (`periods` holds this many after `period`); fewer than `monthsAsked` when the move is recent, 0 when `period` is the current month',
    }),
    cohorts: z.object({
      moved: z.number().int(),
      stayed: z.number().int(),
      overrideMoved: z.number().int().openapi({
        description:
          'Subjects an override moved in `direction`, left out of the comparison (0 with `overrides=include`: they are in `moved`)',
      }),
      heldByOverride: z.number().int().openapi({
        description:
          'Moved by the rules in `period` and set back by an override’s approval in it or the month after (or that approval, in `period`, of a move of the month before), or at the same level held by the override deciding at the close of `period` (now, in the current month: of those in force the one approved last, at that level): neither movers nor stayers, left out of the comparison (README “Held by an override”)',
      }),
    }),
    strata: z.array(
      z.object({
        startLevel: z.string(),
        band: z.number().int(),
        bandMin: z.number().int().nullable(),
        bandMax: z.number().int().nullable(),
        moved: z.number().int(),
        stayed: z.number().int(),
      }),
    ),
    moved: GroupSeriesSchema.openapi({ description: 'Every mover with the metric in the month of the move' }),
    stayed: GroupSeriesSchema.openapi({ description: 'Every stayer with it, in a stratum that holds a mover (unweighted)' }),
    matched: z.object({
      moved: z.object({ counts: Counts, meanChange: Means }),
      stayed: z.object({ counts: Counts, meanChange: Means }),
      effect: Means.openapi({ description: 'Matched movers’ mean change minus the stayers’ weighted to the movers’ strata' }),
    }),
  })
  .openapi('EffectResponse', {
    description:
      'Money in integer minor units (fen): means rounded to the nearest fen, halves away from zero; other units to two decimals.',
  });

export const EffectMetricsResponseSchema = z
  .object({
    items: z.array(MetricDefSchema).readonly().openapi({ description: "The tenant's metric catalogue, in its order" }),
    default: z.string().nullable().openapi({
      description:
        'What the effect evaluation follows when asked for no metric: `avg_daily_balance` if the catalogue has it, else its first money metric, else its first',
    }),
  })
  .openapi('EffectMetricsResponse');
