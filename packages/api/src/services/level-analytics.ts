import { periodEnd, type DistributionResponse, type MigrationResponse, type RatesResponse, type SchemeDefinition } from '@tierkit/core';
import {
  countLevelChanges,
  countLevelPairsBetween,
  countLevelStretches,
  latestEvaluatedPeriod,
  latestEvaluatedPeriods,
  type Executor,
  type InForceInstant,
  type MonthEnd,
} from '@tierkit/db';
import { addMonths, CLOSING_FLOOR, monthRange, monthsBetween, periodOf } from '../periods.js';
import { FLOOR_2000, type ClosingFloor } from './closing.js';

/*
 * Distribution, migration and up/down rates of one scheme's levels, from its tier history. The
 * database groups the events (packages/db/src/repositories/level-history.ts, where "a subject's level
 * in a month" is defined); this file only lays the grouped counts out for charts: months as arrays,
 * counts as integers, every ratio next to the counts it divides.
 */

/** The scheme's level keys in rank order, then any key the history holds that the scheme no longer has. */
function levelKeys(def: SchemeDefinition, seen: Iterable<string>): string[] {
  const keys = [...def.levels].sort((a, b) => a.rank - b.rank).map((l) => l.key);
  const known = new Set(keys);
  for (const k of seen) {
    if (known.has(k)) continue;
    known.add(k);
    keys.push(k);
  }
  return keys;
}

/** The bank's calendar at the time of a read: when an override is in force, and which months are final. */
export interface AnalyticsClock {
  readonly now: () => Date;
  readonly timeZone: string;
}

/**
 * When an override must be in force to hold a customer's level in `period`: at the month's end in the
 * bank's calendar, or now while the month is still running, and approved before that end. A past
 * month's answer never moves with a later approval, revocation or expiry.
 */
export function inForceAt(clock: AnalyticsClock, period: string): InForceInstant {
  const end = periodEnd(period, clock.timeZone);
  const now = clock.now();
  return { at: now.getTime() < Date.parse(end) ? now.toISOString() : end, approvedBefore: end };
}

/**
 * The last month whose figures can no longer change: evaluated by the rules, and the month after it
 * over in the bank's calendar — an override approved in that month may still set back the month's
 * move (held by override, counted in the rules' month); one approved later is the overrides' own move
 * of the month it was decided in. Null: none yet.
 */
export function finalThrough(clock: AnalyticsClock, evaluatedThrough: string | null): string | null {
  if (evaluatedThrough === null) return null;
  const settled = addMonths(periodOf(clock.now(), clock.timeZone), -2);
  return evaluatedThrough < settled ? evaluatedThrough : settled;
}

/**
 * The last month final for any of `schemes` ({@link finalThrough}) and its end in the bank's calendar;
 * null when none is. A closing dated before that end would change figures already final.
 */
export async function lastFinalMonth(
  db: Executor,
  tenantId: string,
  schemes: Iterable<string>,
  clock: AnalyticsClock,
): Promise<MonthEnd | null> {
  let last: string | null = null;
  for (const evaluated of (await latestEvaluatedPeriods(db, tenantId, schemes)).values()) {
    const final = finalThrough(clock, evaluated);
    if (final !== null && (last === null || final > last)) last = final;
  }
  return last === null ? null : { period: last, end: periodEnd(last, clock.timeZone) };
}

/**
 * The earliest instant a customer may be recorded closed at, and why: the end of the last final month
 * (a closing before it would change figures the bank has read as final — a distribution, a month's
 * movers), and never before 2000.
 */
export async function closingFloor(
  db: Executor,
  tenantId: string,
  schemes: Iterable<string>,
  clock: AnalyticsClock,
): Promise<ClosingFloor> {
  const final = await lastFinalMonth(db, tenantId, schemes, clock);
  if (final !== null && final.end > CLOSING_FLOOR)
    return { at: final.end, why: `is before the end of ${final.period}, whose figures are final` };
  return FLOOR_2000;
}

/** Each month of `from … to` with its end in the bank's calendar: a customer closed before it is not counted in it. */
function monthEnds(from: string, to: string, clock: AnalyticsClock): MonthEnd[] {
  return monthRange(from, to).map((period) => ({ period, end: periodEnd(period, clock.timeZone) }));
}

/** Each level's rank in the scheme, by key. */
export function levelRanks(def: SchemeDefinition): Map<string, number> {
  return new Map(def.levels.map((l) => [l.key, l.rank]));
}

/** Subjects per level and month (the wire shape, shared with the admin kit). */
export type Distribution = DistributionResponse;

/** The count of each level in each month of `from … to`. */
export async function distribution(
  db: Executor,
  tenantId: string,
  def: SchemeDefinition,
  from: string,
  to: string,
  clock: AnalyticsClock,
  /** A book-scoped read's books (`booksRead`): only the customers in them now. Undefined: the tenant's. */
  books?: readonly string[],
): Promise<Omit<Distribution, 'versions'>> {
  const evaluatedThrough = await latestEvaluatedPeriod(db, tenantId, def.key);
  return {
    ...(await levelCounts(db, tenantId, def, from, to, clock, books)),
    ...evaluation(monthRange(from, to), evaluatedThrough, clock),
  };
}

/**
 * Whether each month has been evaluated by the rules (every month up to the last one evaluated), and
 * whether its figures are final (see {@link finalThrough}).
 */
function evaluation(
  periods: readonly string[],
  through: string | null,
  clock: AnalyticsClock,
): { evaluated: boolean[]; evaluatedThrough: string | null; final: boolean[]; finalThrough: string | null } {
  const settled = finalThrough(clock, through);
  return {
    evaluated: periods.map((p) => through !== null && p <= through),
    evaluatedThrough: through,
    final: periods.map((p) => settled !== null && p <= settled),
    finalThrough: settled,
  };
}

async function levelCounts(
  db: Executor,
  tenantId: string,
  def: SchemeDefinition,
  from: string,
  to: string,
  clock: AnalyticsClock,
  books?: readonly string[],
): Promise<Omit<Distribution, 'evaluated' | 'evaluatedThrough' | 'final' | 'finalThrough' | 'versions'>> {
  const stretches = await countLevelStretches(db, tenantId, def.key, from, to, monthEnds(from, to, clock), books);
  const periods = monthRange(from, to);
  const levels = levelKeys(
    def,
    stretches.map((s) => s.level),
  );
  const counts = new Map(levels.map((l) => [l, periods.map(() => 0)]));
  for (const s of stretches) {
    const row = counts.get(s.level);
    if (!row) continue;
    const first = monthsBetween(from, s.first);
    const end = s.until === null ? periods.length : Math.min(periods.length, monthsBetween(from, s.until));
    for (let i = first; i < end; i++) row[i] = (row[i] ?? 0) + s.count;
  }
  const series = levels.map((level) => ({ level, counts: counts.get(level) ?? [] }));
  const totals = periods.map((_, i) => series.reduce((n, s) => n + (s.counts[i] ?? 0), 0));
  return { scheme: def.key, periods, levels, series, totals };
}

/** Compare two ranks: a level the scheme no longer has cannot be said to be above or below another. */
function direction(ranks: ReadonlyMap<string, number>, from: string, to: string): 'up' | 'down' | 'same' | 'unranked' {
  if (from === to) return 'same';
  const a = ranks.get(from);
  const b = ranks.get(to);
  if (a === undefined || b === undefined) return 'unranked';
  return b > a ? 'up' : b < a ? 'down' : 'same';
}

/** The from × to matrix of levels between two months (the wire shape). */
export type Migration = MigrationResponse;

/** How the subjects tiered in `to` moved since `from` (`from ≤ to`). */
export async function migration(
  db: Executor,
  tenantId: string,
  def: SchemeDefinition,
  from: string,
  to: string,
  clock: AnalyticsClock,
  /** As {@link distribution}'s. */
  books?: readonly string[],
): Promise<Migration> {
  const pairs = await countLevelPairsBetween(db, tenantId, def.key, from, to, inForceAt(clock, to), periodEnd(from, clock.timeZone), books);
  const levels = levelKeys(
    def,
    pairs.flatMap((p) => (p.fromLevel === null ? [p.toLevel] : [p.fromLevel, p.toLevel])),
  );
  const index = new Map(levels.map((l, i) => [l, i]));
  const square = () => levels.map(() => levels.map(() => 0));
  const matrix = square();
  const entered = levels.map(() => 0);
  const ranks = levelRanks(def);
  const totals = { both: 0, up: 0, down: 0, same: 0, unranked: 0, heldByOverride: 0, entered: 0 };
  const byCause = {
    policy: { matrix: square(), totals: { up: 0, down: 0, same: 0, unranked: 0 } },
    override: { matrix: square(), totals: { up: 0, down: 0, same: 0, unranked: 0 } },
  };
  const add = (m: number[][], i: number, j: number, n: number) => {
    const row = m[i];
    if (row) row[j] = (row[j] ?? 0) + n;
  };
  for (const p of pairs) {
    const j = index.get(p.toLevel) ?? 0;
    if (p.fromLevel === null) {
      entered[j] = (entered[j] ?? 0) + p.count;
      totals.entered += p.count;
      continue;
    }
    const i = index.get(p.fromLevel) ?? 0;
    add(matrix, i, j, p.count);
    add(byCause[p.cause].matrix, i, j, p.count);
    totals.both += p.count;
    const way = direction(ranks, p.fromLevel, p.toLevel);
    // Kept at its level by an override (its approval set back the rules' move, in the same month or the
    // month after theirs; or it still holds the level of \`from\`): neither a stayer by the rules, what a
    // rate is compared with, nor a mover.
    if (p.heldByOverride) {
      totals.heldByOverride += p.count;
      continue;
    }
    totals[way] += p.count;
    byCause[p.cause].totals[way] += p.count;
  }
  const evaluatedThrough = await latestEvaluatedPeriod(db, tenantId, def.key);
  const settled = finalThrough(clock, evaluatedThrough);
  return {
    scheme: def.key,
    from,
    to,
    evaluated: evaluatedThrough !== null && to <= evaluatedThrough,
    evaluatedThrough,
    final: settled !== null && to <= settled,
    finalThrough: settled,
    levels,
    matrix,
    entered,
    totals,
    ...byCause,
  };
}

/** A ratio to four decimal places, null when nothing was at risk. */
function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}

/** Monthly up- and downgrade rates (the wire shape). */
export type Rates = RatesResponse;

/**
 * For each month of `from … to`: of the subjects tiered the month before, how many moved up and down,
 * in all and by cause. A month the rules have not evaluated yet has no rate of all moves nor of the
 * policy's (null, not 0 %: its re-tier has not run); the overrides decided in it are counted as they are.
 */
export async function rates(
  db: Executor,
  tenantId: string,
  def: SchemeDefinition,
  from: string,
  to: string,
  clock: AnalyticsClock,
  /** As {@link distribution}'s. */
  books?: readonly string[],
): Promise<Omit<Rates, 'versions'>> {
  const periods = monthRange(from, to);
  const before = await levelCounts(db, tenantId, def, addMonths(from, -1), addMonths(to, -1), clock, books);
  // From the month before `from`: a customer gone at its end makes no move in `from` (see countLevelChanges).
  const changes = await countLevelChanges(db, tenantId, def.key, from, to, monthEnds(addMonths(from, -1), to, clock), books);
  const {
    evaluated,
    evaluatedThrough,
    final,
    finalThrough: settled,
  } = evaluation(periods, await latestEvaluatedPeriod(db, tenantId, def.key), clock);
  const ranks = levelRanks(def);
  const zeros = () => periods.map(() => 0);
  const upgrades = { policy: zeros(), override: zeros() };
  const downgrades = { policy: zeros(), override: zeros() };
  const unranked = zeros();
  const entered = zeros();
  const heldByOverride = zeros();
  for (const c of changes) {
    const i = monthsBetween(from, c.period);
    if (i < 0 || i >= periods.length) continue;
    const counter =
      c.fromLevel === null
        ? entered
        : c.heldByOverride
          ? heldByOverride
          : { up: upgrades[c.cause], down: downgrades[c.cause], same: undefined, unranked }[direction(ranks, c.fromLevel, c.toLevel)];
    if (counter) counter[i] = (counter[i] ?? 0) + c.count;
  }
  const base = before.totals;
  const rate = (counts: number[], known: (i: number) => boolean) => counts.map((n, i) => (known(i) ? ratio(n, base[i] ?? 0) : null));
  const isEvaluated = (i: number) => evaluated[i] === true;
  const byCause = (cause: 'policy' | 'override', known: (i: number) => boolean) => ({
    upgrades: upgrades[cause],
    downgrades: downgrades[cause],
    upgradeRate: rate(upgrades[cause], known),
    downgradeRate: rate(downgrades[cause], known),
  });
  const sum = (a: number[], b: number[]) => a.map((n, i) => n + (b[i] ?? 0));
  const allUp = sum(upgrades.policy, upgrades.override);
  const allDown = sum(downgrades.policy, downgrades.override);
  return {
    scheme: def.key,
    periods,
    evaluated,
    evaluatedThrough,
    final,
    finalThrough: settled,
    base,
    upgrades: allUp,
    downgrades: allDown,
    unranked,
    entered,
    heldByOverride,
    upgradeRate: rate(allUp, isEvaluated),
    downgradeRate: rate(allDown, isEvaluated),
    policy: byCause('policy', isEvaluated),
    // An override's move is recorded when it is decided, evaluated month or not.
    override: byCause('override', () => true),
  };
}
