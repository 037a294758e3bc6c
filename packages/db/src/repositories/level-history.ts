import { sql, type RawBuilder } from 'kysely';
import { isPostgres, type Executor } from './executor.js';
import { decidingOverrideLevelAt, type InForceInstant } from './overrides.js';

/*
 * Aggregates over a scheme's tier history, computed in the database: the API's analytics read these
 * grouped rows (at most levels × months² of them), never one row per subject.
 *
 * A subject's level in a month M is the `to_level` of its last event whose `period` is at or before M
 * (events of one period ordered by `at`, then `id`; an event recorded after one of a later period
 * supersedes it: see {@link spans}). A subject with no such event is not tiered in M and is not
 * counted; events without a period are ignored.
 * So a month with no event keeps the level of the month before, which is what the assignment said.
 *
 * A change's cause is the reason of that last event: `override` when an override set the level or
 * stopped setting it (reasons `override`, `override-expired`), else `policy` (the rules decided).
 */

/** Why a subject's level changed in a month: the rules, or an override that began or ended. */
export type ChangeCause = 'policy' | 'override';

/** The SQL of a change's cause from an event's `reason` column (see {@link ChangeCause}). */
function causeOf(reason: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`CASE WHEN ${reason} IN ('override', 'override-expired') THEN 'override' ELSE 'policy' END`;
}

/**
 * An event's \`reason\` is an override's approval setting the level (not its end, \`override-expired\`,
 * which gives the level back to the rules): what holds a customer the rules moved at their level.
 */
function isOverrideApproval(reason: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`${reason} = 'override'`;
}

/**
 * Each subject's stretches at one level, up to `to`: `span_start` is the first month of the level,
 * `span_end` the month the next level took over (null: still held at `to`), `prev_level` the level
 * before (null: the subject's first level), `cause` what set it in `span_start` ({@link ChangeCause}),
 * and `reason` the event's own reason (`override` tells an override setting the level from its end).
 */
function spans(tenantId: string, scheme: string, to: string, books?: readonly string[]): RawBuilder<unknown> {
  // \`latest\`: an override decided in an open month is recorded in it, and a late month's data can
  // then be evaluated after it (an earlier period, recorded later). The later record is the level held
  // from then on: a month's last event that an earlier month's later-recorded event supersedes is dropped.
  // The month after \`to\` is read too, only to see whether an override's approval set back a move of
  // the rules in \`to\`: the data lag the calendar, so an override is decided (and recorded) in the
  // month after the one whose data the rules moved the customer on (\`held_next\`).
  const after = monthAfter(to);
  return sql`ev AS (
      SELECT subject_id, period, to_level, reason, at,
        ROW_NUMBER() OVER (PARTITION BY subject_id, period ORDER BY at DESC, id DESC) AS rn
      FROM tier_events
      WHERE tenant_id = ${tenantId} AND scheme = ${scheme} AND period IS NOT NULL AND period <= ${after}${inBooks(tenantId, books)}
    ), latest AS (
      SELECT subject_id, period, to_level, reason, at,
        MAX(at) OVER (PARTITION BY subject_id ORDER BY period) AS latest_at
      FROM ev WHERE rn = 1
    ), all_spans AS (
      SELECT subject_id, to_level AS level, period AS span_start, ${causeOf(sql`reason`)} AS cause, reason,
        LEAD(period) OVER (PARTITION BY subject_id ORDER BY period) AS next_start,
        LEAD(to_level) OVER (PARTITION BY subject_id ORDER BY period) AS next_level,
        LEAD(reason) OVER (PARTITION BY subject_id ORDER BY period) AS next_reason,
        LAG(to_level) OVER (PARTITION BY subject_id ORDER BY period) AS prev_level,
        LAG(to_level, 2) OVER (PARTITION BY subject_id ORDER BY period) AS prev2_level,
        LAG(reason) OVER (PARTITION BY subject_id ORDER BY period) AS prev_reason,
        LAG(period) OVER (PARTITION BY subject_id ORDER BY period) AS prev_start
      FROM latest WHERE at >= latest_at
    ), spans AS (
      SELECT subject_id, level, span_start, cause, reason, prev_level,
        CASE WHEN next_start <= ${to} THEN next_start END AS span_end,
        -- The rules moved the level in span_start and an override's approval set it back the month after.
        CASE WHEN ${causeOf(sql`reason`)} = 'policy' AND prev_level IS NOT NULL AND level <> prev_level
              AND ${isOverrideApproval(sql`next_reason`)} AND next_level = prev_level
              AND ${monthIndex(sql`next_start`)} = ${monthIndex(sql`span_start`)} + 1 THEN 1 ELSE 0 END AS held_next,
        -- That override's approval: no move of its own (the month before counts the customer held).
        CASE WHEN ${isOverrideApproval(sql`reason`)} AND ${causeOf(sql`prev_reason`)} = 'policy' AND prev2_level = level
              AND prev_level <> level
              AND ${monthIndex(sql`span_start`)} = ${monthIndex(sql`prev_start`)} + 1 THEN 1 ELSE 0 END AS sets_back
      FROM all_spans WHERE span_start <= ${to}
    )`;
}

/**
 * A book-scoped read's cut (`books`: the books it reads): only the customers in those books now, as
 * the matrix and the lists cut them — a team's analytics are of the customers the team holds today,
 * their history before they came included, not of whoever the team held in each month. Undefined:
 * the whole tenant.
 */
function inBooks(tenantId: string, books: readonly string[] | undefined): RawBuilder<unknown> {
  if (books === undefined) return sql``;
  if (books.length === 0) return sql` AND 1 = 0`;
  return sql` AND subject_id IN (SELECT sm.subject_id FROM subject_managers sm WHERE sm.tenant_id = ${tenantId} AND sm.staff_id IN (${sql.join([...books])}))`;
}

/** The month after a \`YYYY-MM\` period (the API's \`addMonths\` is out of this package's reach). */
export function monthAfter(period: string): string {
  const d = new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 1));
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A \`YYYY-MM\` column as a count of months, so that two months can be told adjacent on both dialects. */
function monthIndex(period: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(CAST(SUBSTR(${period}, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(${period}, 6, 2) AS INTEGER))`;
}

/** A month and the first instant after it in the bank's calendar (ISO UTC): when a closing counts from. */
export interface MonthEnd {
  readonly period: string;
  readonly end: string;
}

/**
 * The CTE \`closed\` (subject_id, period, next_period): each subject and month of \`months\` at whose
 * end a closing of theirs was in force — closed before the end and not reopened by it. A customer
 * gone at a month's end is no customer of that month: not in its distribution, no mover nor stayer
 * into it. Read from every closing there was (\`subject_closings\`), so a reopening later leaves the
 * months they were gone as they were. Stored times are canonical ISO UTC: text order is time order.
 */
function closedMonths(tenantId: string, months: readonly MonthEnd[]): RawBuilder<unknown> {
  if (months.length === 0)
    return sql`closed AS (SELECT subject_id, closed_at AS period, closed_at AS next_period FROM subject_closings WHERE 1 = 0)`;
  const rows = sql.join(
    months.map(
      (m) =>
        sql`SELECT CAST(${m.period} AS text) AS period, CAST(${monthAfter(m.period)} AS text) AS next_period, CAST(${m.end} AS text) AS month_end`,
    ),
    sql` UNION ALL `,
  );
  return sql`month_ends AS (${rows}), closed AS (
      SELECT DISTINCT c.subject_id, m.period, m.next_period
      FROM subject_closings c JOIN month_ends m
        ON c.closed_at < m.month_end AND (c.reopened_at IS NULL OR c.reopened_at >= m.month_end)
      WHERE c.tenant_id = ${tenantId} AND c.closed_at < ${months[months.length - 1]?.end ?? ''}
    )`;
}

/** Subjects that held `level` from `first` (never before `from`) until `until` (exclusive; null: still at `to`). */
export interface LevelStretchCount {
  readonly level: string;
  readonly first: string;
  readonly until: string | null;
  /** Negative for customers gone at the end of the month `first` (until the month after): taken back out of it. */
  readonly count: number;
}

/**
 * How many subjects held each level over which months of `from … to`, grouped by level and stretch.
 * Summing the stretches that cover a month gives that month's count per level.
 */
export async function countLevelStretches(
  db: Executor,
  tenantId: string,
  scheme: string,
  from: string,
  to: string,
  /** Every month of `from … to` with its end: a customer gone at a month's end is not counted in it (a stretch of minus them). */
  months: readonly MonthEnd[],
  /** A book-scoped read's books: only their customers (undefined: the tenant's). */
  books?: readonly string[],
): Promise<LevelStretchCount[]> {
  // Each month a customer was gone at the end of takes them back out of the stretch covering it: a
  // stretch of minus them for that month alone, so that a reopening leaves the months between whole.
  const { rows } = await sql<{ level: string; first_month: string; span_end: string | null; n: number | string }>`
    WITH ${spans(tenantId, scheme, to, books)}, ${closedMonths(tenantId, months)}
    SELECT level, CASE WHEN span_start < ${from} THEN ${from} ELSE span_start END AS first_month, span_end, COUNT(*) AS n
    FROM spans
    WHERE span_end IS NULL OR span_end > ${from}
    GROUP BY level, first_month, span_end
    UNION ALL
    SELECT s.level, c.period AS first_month, c.next_period AS span_end, -COUNT(*) AS n
    FROM closed c JOIN spans s ON s.subject_id = c.subject_id AND s.span_start <= c.period AND (s.span_end IS NULL OR s.span_end > c.period)
    WHERE c.period >= ${from}
    GROUP BY s.level, c.period, c.next_period`.execute(db);
  return rows.map((r) => ({ level: r.level, first: r.first_month, until: r.span_end, count: Number(r.n) }));
}

/** Subjects whose level changed from `fromLevel` (null: their first level) to `toLevel` in `period`. */
export interface LevelChangeCount {
  readonly period: string;
  readonly fromLevel: string | null;
  readonly toLevel: string;
  readonly cause: ChangeCause;
  /**
   * Held at its level by an override, not by the rules: the month ended at the level it began with
   * because an override's approval set it back within the month (the month's last event an override's),
   * or the rules moved it in the month and an override's approval set it back the month after (the
   * approval's own move is then no row: the customer is counted once, held, in the rules' month).
   */
  readonly heldByOverride: boolean;
  readonly count: number;
}

/** Month-to-month level changes with `from ≤ period ≤ to`, grouped by month, pair of levels and cause. */
export async function countLevelChanges(
  db: Executor,
  tenantId: string,
  scheme: string,
  from: string,
  to: string,
  /**
   * Every month of `from … to` with its end, and the month before `from`: a change in a month is a
   * move from the month before, so a customer gone at the end of either makes none.
   */
  months: readonly MonthEnd[],
  /** A book-scoped read's books: only their customers (undefined: the tenant's). */
  books?: readonly string[],
): Promise<LevelChangeCount[]> {
  // A customer gone at the end of the month of the move or of the month before makes none. PostgreSQL
  // estimates about one row out of the window stages, so any join of the moves is a near tie it may
  // settle as a nested loop: over the `closed` months (or over the closings table, scanned) that
  // rescans every closed customer for each move (20,000 customers: 10,000,000 rows filtered out,
  // seconds; 100,000: a minute). So on PostgreSQL the closed months are no join: they go into one
  // grouping with the moves, by customer and month, and a group with any closed row is dropped — a
  // sort or hash of the moves whatever the estimate. Not `(subject_id, span_start) NOT IN (… closed …)`
  // either, though it is main's speed while PostgreSQL hashes it: it hashes it only while the closed
  // months fit work_mem by its estimate, and past that (closed customers count in every month after
  // they left: 100,000 customers, 20 % gone before the range) it rescans them for every move. The
  // grouping's price is a sort of the closed months too: 1.1–1.4× a well-planned anti join with 1 % closed,
  // about 2× with a fifth gone before the range — never a rescan.
  // SQLite probes an index it builds on `closed` for each move, the plan a nested loop should be, so
  // it keeps the anti join (the grouping is not measured there).
  const held = sql`CASE WHEN (prev_level = level AND ${isOverrideApproval(sql`reason`)}) OR held_next = 1 THEN 1 ELSE 0 END`;
  const { rows } = await sql<{
    span_start: string;
    prev_level: string | null;
    level: string;
    cause: ChangeCause;
    held: number | string;
    n: number | string;
  }>`${
    isPostgres(db)
      ? sql`
    WITH ${spans(tenantId, scheme, to, books)}, ${closedMonths(tenantId, months)}, marked AS (
      SELECT subject_id, span_start AS month, prev_level, level, cause, ${held} AS held, 1 AS kept
      FROM spans WHERE span_start >= ${from} AND sets_back = 0
      UNION ALL SELECT subject_id, period, NULL, NULL, NULL, NULL, 0 FROM closed
      UNION ALL SELECT subject_id, next_period, NULL, NULL, NULL, NULL, 0 FROM closed
    ), moves AS (
      -- A customer has one move a month at most: the maxima are its own.
      SELECT month, MAX(prev_level) AS prev_level, MAX(level) AS level, MAX(cause) AS cause, MAX(held) AS held
      FROM marked GROUP BY subject_id, month HAVING MIN(kept) = 1
    )
    SELECT month AS span_start, prev_level, level, cause, held, COUNT(*) AS n
    FROM moves
    GROUP BY month, prev_level, level, cause, held`
      : sql`
    WITH ${spans(tenantId, scheme, to, books)}, ${closedMonths(tenantId, months)}
    SELECT span_start, prev_level, level, cause, ${held} AS held, COUNT(*) AS n
    FROM spans
    WHERE span_start >= ${from} AND sets_back = 0
      AND NOT EXISTS (
        SELECT 1 FROM closed c WHERE c.subject_id = spans.subject_id AND (c.period = spans.span_start OR c.next_period = spans.span_start))
    GROUP BY span_start, prev_level, level, cause, held`
  }`.execute(db);
  return rows.map((r) => ({
    period: r.span_start,
    fromLevel: r.prev_level,
    toLevel: r.level,
    cause: r.cause,
    heldByOverride: Number(r.held) === 1,
    count: Number(r.n),
  }));
}

/**
 * The last month the rules evaluated any subject's level of `scheme` at (null: never): the latest
 * month of its stored levels. Every re-evaluation stores its subject's assignment at the month it
 * evaluated, and a rule's event is never dated after it, so the history's events add nothing (and
 * reading them scanned the scheme's whole history on every analytics request). A month after it
 * shows levels carried over, not evaluated. One subject is enough to make a month evaluated for the
 * whole scheme: a single `PUT …/metrics` of that month, a re-tier job partway through it, or an
 * override decision — approving, revoking or an expiry re-evaluates the subject at its latest month
 * with data and stores its assignment at that month, so when that month's re-tier has not run yet
 * the decision marks it evaluated (only the override's own move is dated in the month decided).
 * An override decision for a subject whose latest data are of a month already evaluated changes nothing.
 */
export async function latestEvaluatedPeriod(db: Executor, tenantId: string, scheme: string): Promise<string | null> {
  const assigned = await db
    .selectFrom('assignments')
    .select((eb) => eb.fn.max('period').as('period'))
    .where('tenant_id', '=', tenantId)
    .where('scheme', '=', scheme)
    .executeTakeFirst();
  return typeof assigned?.period === 'string' ? assigned.period : null;
}

/**
 * {@link latestEvaluatedPeriod} of several schemes (a scheme with none is absent): a seek each on
 * assignments_tenant_scheme_period_idx, whatever the book's size (a tenant has tens of schemes).
 */
export async function latestEvaluatedPeriods(db: Executor, tenantId: string, schemes: Iterable<string>): Promise<Map<string, string>> {
  const keys = [...new Set(schemes)];
  if (keys.length === 0) return new Map();
  // One statement per scheme: a max grouped over `scheme IN (…)` is not a seek (neither database
  // skips through the index by scheme), it reads every assignment of those schemes.
  const out = new Map<string, string>();
  for (const scheme of keys) {
    const row = await db
      .selectFrom('assignments')
      .select((eb) => eb.fn.max('period').as('period'))
      .where('tenant_id', '=', tenantId)
      .where('scheme', '=', scheme)
      .executeTakeFirst();
    if (typeof row?.period === 'string') out.set(scheme, row.period);
  }
  return out;
}

/**
 * Each subject's level at `from` and at `to` (`from ≤ to`), in one pass over the stretches up to `to`
 * (the CTE `pairs`: subject_id, from_level, to_level; to_cause, what set the level held at `to` when
 * it began, null when it began at or before `from` (nothing moved it since); held, 1 when an
 * override's own event (not its end) set the level held at `to`, whenever, and the override deciding
 * at `inForceAt` is at that level; held_move, 1 when it is a move of the rules in `to` that an
 * override's approval set back the month after, or, after `from`, that approval itself, back at the
 * level of `from` only while the override deciding at `inForceAt` is at that level). One pass, not two "level at" tables joined: SQLite would
 * join those row by row, each side without an index.
 *
 * Why the overrides table and not the history alone: an override that expires or is revoked without a
 * change of level records no event, so the history cannot tell a customer the override still holds
 * from one the rules have kept at that level since it ended. Of several in force, the one approved last
 * decides, and only at its own level: a floor below the level held, or an override at another level,
 * leaves the level to the rules. `inForceAt` is the close of `to` in the bank's calendar (or now, in
 * the current month; see {@link InForceInstant}): the same for every subject, so a past month's answer
 * does not move with a later approval, revocation or expiry.
 */
export function levelPairs(
  tenantId: string,
  scheme: string,
  from: string,
  fromEnd: string,
  to: string,
  inForceAt: InForceInstant,
  books?: readonly string[],
): RawBuilder<unknown> {
  // Held: the override that decides at that instant is at the level held. Asked only of the few
  // subjects whose level an override set, each by the overrides' (subject, scheme) index: a join of
  // every subject to the scheme's overrides cost SQLite four times the read.
  const heldThere = sql`${decidingOverrideLevelAt(tenantId, scheme, sql`p.subject_id`, inForceAt)} = p.to_level`;
  return sql`${spans(tenantId, scheme, to, books)}, subject_pairs AS (
      SELECT subject_id,
        MAX(CASE WHEN span_start <= ${from} AND (span_end IS NULL OR span_end > ${from}) THEN level END) AS from_level,
        MAX(CASE WHEN span_end IS NULL THEN level END) AS to_level,
        MAX(CASE WHEN span_end IS NULL AND span_start > ${from} THEN cause END) AS to_cause,
        MAX(CASE WHEN span_end IS NULL AND ${isOverrideApproval(sql`reason`)} THEN 1 ELSE 0 END) AS by_override,
        MAX(CASE WHEN span_end IS NULL AND span_start > ${from} AND held_next = 1 THEN 1 ELSE 0 END) AS held_next,
        MAX(CASE WHEN span_end IS NULL AND span_start > ${from} AND sets_back = 1 THEN 1 ELSE 0 END) AS sets_back
      FROM spans GROUP BY subject_id
    ), pairs AS (
      SELECT p.subject_id, p.from_level, p.to_level, p.to_cause,
        CASE WHEN p.by_override = 1 AND p.from_level = p.to_level AND ${heldThere} THEN 1 ELSE 0 END AS held,
        -- A move undone is held whatever became of the override since (the rules' move of \`to\` set
        -- back the month after, or that approval off the diagonal: no move of its own). Back at the
        -- level of \`from\`, the customer is held only while an override is in force: once it has ended,
        -- the rules keep them there, a stayer.
        CASE WHEN p.held_next = 1 THEN 1
             WHEN p.sets_back = 1 AND p.from_level <> p.to_level THEN 1
             WHEN p.sets_back = 1 AND p.from_level = p.to_level AND ${heldThere} THEN 1 ELSE 0 END AS held_move
      FROM subject_pairs p
      -- A customer closed on or before the end of \`to\` (\`approvedBefore\` is that instant) is no
      -- customer of \`to\`: neither a mover nor a stayer into it, in no pair.
      -- A reopening after that instant leaves them out still (subject_closings keeps every closing).
      WHERE p.subject_id NOT IN (
        SELECT subject_id FROM subject_closings WHERE tenant_id = ${tenantId} AND closed_at < ${inForceAt.approvedBefore}
          AND (reopened_at IS NULL OR reopened_at >= ${inForceAt.approvedBefore}))
      -- Nor one gone at the end of \`from\` (\`fromEnd\`), back by \`to\`: no customer of \`from\`, so
      -- they did not move from it. A pair is of customers open at both ends.
      AND p.subject_id NOT IN (
        SELECT subject_id FROM subject_closings WHERE tenant_id = ${tenantId} AND closed_at < ${fromEnd}
          AND (reopened_at IS NULL OR reopened_at >= ${fromEnd}))
    )`;
}

/** Subjects per pair of levels between two months, and what set the level held at the second. */
export interface LevelPairCount {
  /** Null: first tiered after `from`. */
  readonly fromLevel: string | null;
  readonly toLevel: string;
  /**
   * What set the level held at `to`: `override` when an override's event (its approval, or its end
   * giving the level back to the rules) set it after `from`, or an override holds it at the level of
   * `from` (whenever approved), else `policy` (the rules moved it, or nothing did since `from`).
   */
  readonly cause: ChangeCause;
  /**
   * Held at its level by an override, not by the rules: an override's approval (reason `override`, not
   * its end) set the level held at `to`, it is the level of `from`, and the override deciding at
   * `inForceAt` (approved before or after `from`; of several in force, the one approved last) is at
   * that level; or the rules moved
   * it in `to` and an override's approval set it back the month after (decided once `to`'s data were
   * in), or that approval set it in `to` back from the rules' move of the month before: the pair is
   * then off the diagonal (the rules' move or the override's, by cause).
   */
  readonly heldByOverride: boolean;
  readonly count: number;
}

/**
 * Subjects per (level at `from`, level at `to`, cause), `from ≤ to`. `fromLevel` is null for subjects
 * first tiered after `from`; a subject tiered at `from` is always tiered at `to`.
 */
export async function countLevelPairsBetween(
  db: Executor,
  tenantId: string,
  scheme: string,
  from: string,
  to: string,
  /** When an override must be in force to hold a level at `to`: its close, or now while it runs. */
  inForceAt: InForceInstant,
  /** The end of `from` in the bank's calendar: a customer gone then is in no pair, even if back by `to`. */
  fromEnd: string,
  /** A book-scoped read's books: only their customers (undefined: the tenant's). */
  books?: readonly string[],
): Promise<LevelPairCount[]> {
  const { rows } = await sql<{
    from_level: string | null;
    to_level: string;
    to_cause: ChangeCause | null;
    held: number | string;
    held_move: number | string;
    n: number | string;
  }>`
    WITH ${levelPairs(tenantId, scheme, from, fromEnd, to, inForceAt, books)}
    SELECT from_level, to_level, to_cause, held, held_move, COUNT(*) AS n FROM pairs
    GROUP BY from_level, to_level, to_cause, held, held_move`.execute(db);
  return rows.map((r) => {
    const heldInPlace = r.from_level === r.to_level && Number(r.held) === 1;
    return {
      fromLevel: r.from_level,
      toLevel: r.to_level,
      // Held in place since before `from`: nothing moved it in the range, but an override, not the rules, sets it.
      cause: r.to_cause ?? (heldInPlace ? 'override' : 'policy'),
      heldByOverride: heldInPlace || Number(r.held_move) === 1,
      count: Number(r.n),
    };
  });
}
