import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './executor.js';
import { levelPairs, monthAfter } from './level-history.js';
import type { InForceInstant } from './overrides.js';

/**
 * Who an effect evaluation compares: the subjects who moved, and those at the same level who stayed.
 * `override-moved`: movers an override moved, left out of the comparison (counted only, in the sizes).
 * `held-by-override`: at the same level only because an override holds it there (its approval set back
 * the rules' move, or it set the level before and is still in force), so no stayer either (counted only).
 */
export type CohortGroup = 'moved' | 'stayed' | 'override-moved' | 'held-by-override';

/** What an effect evaluation asks of the history and the metrics. */
export interface EffectCohortQuery {
  readonly scheme: string;
  /** The month of the move: level at `period` against level at `before` (the month before). */
  readonly period: string;
  readonly before: string;
  /** The end of `before` in the bank's calendar: a customer gone then is neither a mover nor a stayer. */
  readonly beforeEnd: string;
  /** Last month of the follow-up (inclusive). */
  readonly through: string;
  /** `up`: rank at `period` above rank at `before`; `down`: below. */
  readonly direction: 'up' | 'down';
  /** Rank of each level key; a level not listed has no rank and is neither a move nor a stay. */
  readonly ranks: ReadonlyMap<string, number>;
  readonly metric: string;
  /**
   * A metric the engine reads with no window (the compiled pack's `latestMetricsFor`, such as a yes/no holding): a month without an observation holds the
   * latest one at or before it, none at all reads as 0, as the engine reads it. Then every mover and
   * stayer has the metric in every month, and going from no card to a card is a change. Otherwise a
   * month without an observation is no figure: the subject is not counted in it.
   */
  readonly holding?: boolean;
  /** `exclude`: a move an override made (or ended) is no mover; it is counted as `override-moved`. */
  readonly overrides: 'exclude' | 'include';
  /** Lower bounds of the baseline bands, ascending: band i holds `bounds[i-1] ≤ value < bounds[i]`. */
  readonly bandBounds: readonly number[];
  /** When an override must be in force to hold a level at `period`: its close, or now while it runs. */
  readonly inForceAt: InForceInstant;
}

/** Cohort size per group, whatever their metrics. */
export interface CohortSize {
  readonly group: CohortGroup;
  readonly count: number;
}

/**
 * One stratum (group, level before the move, baseline band) in one month from `period` to `through`:
 * how many of its subjects have the metric in that month, its sum, and the sum of its change since
 * `period`. Only subjects with the metric at `period` (the baseline; a holding always has one, see
 * {@link EffectCohortQuery.holding}) are counted; after `period`, only
 * the movers and the stayers of strata that hold a mover (the others are compared with nobody, and
 * reading their months would be most of the work: nearly everyone stays).
 */
export interface CohortMonth {
  readonly group: 'moved' | 'stayed';
  readonly startLevel: string;
  readonly band: number;
  readonly period: string;
  readonly count: number;
  readonly sum: number;
  readonly changeSum: number;
}

function rankOf(column: RawBuilder<unknown>, ranks: ReadonlyMap<string, number>): RawBuilder<unknown> {
  if (ranks.size === 0) return sql`NULL`;
  return sql`CASE ${column} ${sql.join(
    [...ranks].map(([key, rank]) => sql`WHEN ${key} THEN ${sql.lit(rank)}`),
    sql` `,
  )} ELSE NULL END`;
}

function bandOf(column: RawBuilder<unknown>, bounds: readonly number[]): RawBuilder<unknown> {
  if (bounds.length === 0) return sql`0`;
  return sql`CASE ${sql.join(
    bounds.map((b, i) => sql`WHEN ${column} < ${sql.lit(b)} THEN ${sql.lit(i)}`),
    sql` `,
  )} ELSE ${sql.lit(bounds.length)} END`;
}

/**
 * Sums of money add up in floating point: SQLite's integer SUM fails past 2^63 (ten thousand customers
 * at the largest balance a metric may hold), and the means the API reports are rounded to the fen anyway.
 */
function asFloat(value: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`CAST(${value} AS DOUBLE PRECISION)`;
}

function cohort(tenantId: string, q: EffectCohortQuery): RawBuilder<unknown> {
  const moved = q.direction === 'up' ? sql`>` : sql`<`;
  return sql`${levelPairs(tenantId, q.scheme, q.before, q.beforeEnd, q.period, q.inForceAt)},
    cohort AS (
      SELECT subject_id, from_level AS start_level,
        -- A level the scheme no longer defines has no rank: its holders neither move nor stay.
        CASE WHEN ${rankOf(sql`from_level`, q.ranks)} IS NULL THEN NULL
             WHEN held_move = 1 THEN 'held-by-override'
             WHEN from_level = to_level THEN CASE WHEN held = 1 THEN 'held-by-override' ELSE 'stayed' END
             WHEN ${rankOf(sql`to_level`, q.ranks)} ${moved} ${rankOf(sql`from_level`, q.ranks)} THEN
               ${q.overrides === 'exclude' ? sql`CASE WHEN to_cause = 'override' THEN 'override-moved' ELSE 'moved' END` : sql`'moved'`} END AS grp
      FROM pairs WHERE from_level IS NOT NULL
    )`;
}

/** What {@link effectCohorts} returns: cohort sizes and the metric per stratum and month. */
export interface EffectCohorts {
  readonly sizes: CohortSize[];
  readonly months: CohortMonth[];
}

/**
 * The cohorts of an effect evaluation, counted in the database, and their metric from `period` to
 * `through` per stratum and month (see {@link CohortMonth}). One statement, so the history is read
 * once for both: the cohort sizes are the rows without a period. The baseline month needs no second
 * read of the metrics.
 */
export async function effectCohorts(db: Executor, tenantId: string, q: EffectCohortQuery): Promise<EffectCohorts> {
  const { rows } = await sql<{
    grp: CohortGroup;
    start_level: string | null;
    band: number | string;
    period: string | null;
    n: number | string;
    total: number | string;
    change_total: number | string;
  }>`${q.holding ? holdingCohortRows(tenantId, q) : observedCohortRows(tenantId, q)}`.execute(db);
  const sizes: CohortSize[] = [];
  const months: CohortMonth[] = [];
  for (const r of rows) {
    if (r.period === null || r.start_level === null) sizes.push({ group: r.grp, count: Number(r.n) });
    else
      months.push({
        group: r.grp === 'stayed' ? 'stayed' : 'moved',
        startLevel: r.start_level,
        band: Number(r.band),
        period: r.period,
        count: Number(r.n),
        sum: Number(r.total),
        changeSum: Number(r.change_total),
      });
  }
  return { sizes, months };
}

/** The rows of {@link effectCohorts} for a metric read where it was observed (a month without it: not counted). */
function observedCohortRows(tenantId: string, q: EffectCohortQuery): RawBuilder<unknown> {
  return sql`
    WITH ${cohort(tenantId, q)},
    -- The subjects drive both reads of the metrics, one primary-key lookup each. SQLite, without
    -- statistics, would rather scan every metric row: CROSS JOIN keeps the order written (PostgreSQL
    -- plans it as any inner join), and MATERIALIZED keeps base from being folded into the follow-up.
    base AS MATERIALIZED (
      SELECT c.subject_id, c.grp, c.start_level, m.value AS v0, ${bandOf(sql`m.value`, q.bandBounds)} AS band
      FROM cohort c CROSS JOIN metrics m
      WHERE c.grp IN ('moved', 'stayed') AND m.subject_id = c.subject_id AND m.tenant_id = ${tenantId} AND m.metric = ${q.metric}
        AND m.period = ${q.period}
    )
    SELECT grp, NULL AS start_level, -1 AS band, NULL AS period, COUNT(*) AS n, 0 AS total, 0 AS change_total
    FROM cohort WHERE grp IS NOT NULL GROUP BY grp
    UNION ALL
    SELECT grp, start_level, band, CAST(${q.period} AS text) AS period, COUNT(*) AS n, SUM(${asFloat(sql`v0`)}) AS total, 0 AS change_total
    FROM base GROUP BY grp, start_level, band
    UNION ALL
    SELECT base.grp, base.start_level, base.band, m.period, COUNT(*) AS n, SUM(${asFloat(sql`m.value`)}) AS total,
      SUM(${asFloat(sql`m.value - base.v0`)}) AS change_total
    FROM base CROSS JOIN metrics m
    WHERE (base.grp = 'moved' OR (base.start_level, base.band) IN (SELECT start_level, band FROM base WHERE grp = 'moved'))
      AND m.subject_id = base.subject_id AND m.tenant_id = ${tenantId} AND m.metric = ${q.metric}
      AND m.period > ${q.period} AND m.period <= ${q.through}
    GROUP BY base.grp, base.start_level, base.band, m.period`;
}

/**
 * The rows of {@link effectCohorts} for a holding: each subject's value in a month is its latest
 * observation at or before it, 0 when none (see {@link EffectCohortQuery.holding}). Set-based, so that
 * the work grows with the observations rather than with subjects × months: one probe per subject for
 * the baseline, then each kept subject's later observations with the month its next one starts
 * (LEAD), range-joined to the follow-up months; a month before any later observation keeps the baseline.
 */
function holdingCohortRows(tenantId: string, q: EffectCohortQuery): RawBuilder<unknown> {
  const later: string[] = [];
  for (let m = monthAfter(q.period); m <= q.through; m = monthAfter(m)) later.push(m);
  const followUp =
    later.length === 0
      ? sql`follow_months AS (SELECT CAST(${q.period} AS text) AS period WHERE 1 = 0)`
      : sql`follow_months AS (${sql.join(
          later.map((m) => sql`SELECT CAST(${m} AS text) AS period`),
          sql` UNION ALL `,
        )})`;
  return sql`
    WITH ${cohort(tenantId, q)}, ${followUp},
    held0 AS MATERIALIZED (
      SELECT c.subject_id, c.grp, c.start_level,
        COALESCE((SELECT h.value FROM metrics h WHERE h.subject_id = c.subject_id AND h.tenant_id = ${tenantId}
          AND h.metric = ${q.metric} AND h.period <= ${q.period} ORDER BY h.period DESC LIMIT 1), 0) AS v0
      FROM cohort c WHERE c.grp IN ('moved', 'stayed')
    ), base AS MATERIALIZED (
      SELECT subject_id, grp, start_level, v0, ${bandOf(sql`v0`, q.bandBounds)} AS band FROM held0
    ), kept AS MATERIALIZED (
      SELECT * FROM base
      WHERE grp = 'moved' OR (start_level, band) IN (SELECT start_level, band FROM base WHERE grp = 'moved')
    ), steps AS MATERIALIZED (
      SELECT h.subject_id, h.period, h.value, LEAD(h.period) OVER (PARTITION BY h.subject_id ORDER BY h.period) AS next_period
      FROM kept k JOIN metrics h ON h.subject_id = k.subject_id AND h.tenant_id = ${tenantId} AND h.metric = ${q.metric}
        AND h.period > ${q.period} AND h.period <= ${q.through}
    ), later AS (
      SELECT k.grp, k.start_level, k.band, k.v0, f.period, COALESCE(s.value, k.v0) AS v
      FROM kept k CROSS JOIN follow_months f
      LEFT JOIN steps s ON s.subject_id = k.subject_id AND s.period <= f.period
        AND (s.next_period IS NULL OR s.next_period > f.period)
    )
    SELECT grp, NULL AS start_level, -1 AS band, NULL AS period, COUNT(*) AS n, 0 AS total, 0 AS change_total
    FROM cohort WHERE grp IS NOT NULL GROUP BY grp
    UNION ALL
    SELECT grp, start_level, band, CAST(${q.period} AS text) AS period, COUNT(*) AS n, SUM(${asFloat(sql`v0`)}) AS total, 0 AS change_total
    FROM base GROUP BY grp, start_level, band
    UNION ALL
    SELECT grp, start_level, band, period, COUNT(*) AS n, SUM(${asFloat(sql`v`)}) AS total, SUM(${asFloat(sql`v - v0`)}) AS change_total
    FROM later GROUP BY grp, start_level, band, period`;
}
