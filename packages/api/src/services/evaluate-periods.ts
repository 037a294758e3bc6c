import type { StoredAssignment } from '@tierkit/db';
import {
  nextPrior,
  periodEnd,
  type CompiledPack,
  type Evaluation,
  type EventReason,
  type OverrideInfo,
  type PriorAssignment,
  type SubjectKind,
} from '@tierkit/core';

/** Per metric, per period, one integer — what the engine reads. */
export type Values = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** A level change found while stepping through periods. */
export interface PeriodEvent {
  readonly scheme: string;
  readonly from: string | null;
  readonly to: string;
  /** The evaluated month that caused it. */
  readonly period: string;
  readonly reason: EventReason;
  readonly ruleId: string | null;
  readonly policyVersion: number;
}

/** The outcome of evaluating a subject over consecutive periods. */
export interface PeriodRun {
  /** Evaluations of the last period. */
  readonly final: readonly Evaluation[];
  /** Per scheme, the state the last period was evaluated from (to store as the assignment's base). */
  readonly before: Readonly<Record<string, PriorAssignment | undefined>>;
  /** Per scheme, the level shown before the last period (to store as the assignment's previous level). */
  readonly shownBefore: Readonly<Record<string, string | undefined>>;
  /** Every level change, oldest first. */
  readonly events: readonly PeriodEvent[];
}

/** A level the history shows from `period` on, recorded before the run (see {@link evaluatePeriods}). */
export interface RecordedMove {
  readonly scheme: string;
  readonly period: string;
  readonly level: string;
  /** An override decided it: a later move away from it once none is in force reads `override-expired`. */
  readonly byOverride: boolean;
}

/** Overrides by scheme key, either the same for every period or chosen per evaluated period. */
export type PeriodOverrides = Readonly<Record<string, OverrideInfo>> | ((period: string) => Readonly<Record<string, OverrideInfo>>);

/**
 * Why the level changed: an override decided it, one stopped deciding it, or the rules did.
 * `overrideInForce`: an override of the scheme still applies in the month. A floor override the rules
 * now rank above has not ended — the rules moved the level, so the move is the policy's (`rule`), and
 * analytics must count it as such; only a move away from an override's level once none is in force
 * (expired, revoked) is `override-expired`.
 */
function reasonOf(e: Evaluation, from: string | null, overrideDecidedBefore: boolean, overrideInForce: boolean): EventReason {
  if (e.explanation.decidedBy.kind === 'override') return 'override';
  if (from === null) return 'initial';
  return overrideDecidedBefore && !overrideInForce ? 'override-expired' : 'rule';
}

/** Whether `o` still applies when `period` is evaluated: the engine's own test (expiry after the month's end). */
function inForce(o: OverrideInfo | undefined, period: string, timeZone: string): boolean {
  return o !== undefined && (o.expiresAt === null || Date.parse(o.expiresAt) > Date.parse(periodEnd(period, timeZone)));
}

/**
 * Evaluate one subject month after month, carrying the hysteresis state forward, the way a monthly
 * batch would have — so "three months below before a downgrade" holds even when several months of
 * data arrive at once. Pure: all tiering logic is the engine's; this only sequences it.
 *
 * @param compiled  the pack, or the pack in force for each period (policy versions have effective dates)
 * @param start  state before the first period, per scheme (absent: the subject had no level yet)
 * @param shown  the levels the history currently shows, per scheme; a change is recorded against these
 * @param overrides  per scheme; a function picks them per period (an override must not decide months before it existed)
 * @param shownByOverride  the schemes whose shown level an override decided, so a change away from it reads
 *   `override-expired` — unless an override of the scheme is still in force (the rules outranked a floor)
 * @param recorded  moves the history already holds in months the run replays, oldest first (an override's
 *   approval recorded its move in the month it was decided): from its month the run records changes
 *   against the level it set, so replaying that month does not record the move again
 */
export function evaluatePeriods(
  compiled: CompiledPack | ((period: string) => CompiledPack),
  kind: SubjectKind,
  values: Values,
  periods: readonly string[],
  start: Readonly<Record<string, PriorAssignment | undefined>>,
  shown: Readonly<Record<string, string | undefined>>,
  overrides: PeriodOverrides = {},
  shownByOverride: ReadonlySet<string> = new Set(),
  recorded: readonly RecordedMove[] = [],
): PeriodRun {
  const priors: Record<string, PriorAssignment> = {};
  for (const [scheme, prior] of Object.entries(start)) if (prior) priors[scheme] = prior;
  const current: Record<string, string | undefined> = { ...shown };
  const byOverride = new Set(shownByOverride);
  const events: PeriodEvent[] = [];
  let final: readonly Evaluation[] = [];
  let before: Record<string, PriorAssignment | undefined> = { ...priors };
  let shownBefore: Record<string, string | undefined> = { ...current };
  for (const period of periods) {
    before = { ...priors };
    shownBefore = { ...current };
    for (const m of recorded) {
      if (m.period !== period) continue;
      current[m.scheme] = m.level;
      if (m.byOverride) byOverride.add(m.scheme);
      else byOverride.delete(m.scheme);
    }
    const pack = typeof compiled === 'function' ? compiled(period) : compiled;
    const forPeriod = typeof overrides === 'function' ? overrides(period) : overrides;
    final = pack.evaluateSubject(kind, { asOf: period, values }, priors, forPeriod);
    for (const e of final) {
      const from = current[e.scheme] ?? null;
      if (from !== e.level) {
        events.push({
          scheme: e.scheme,
          from,
          to: e.level,
          period,
          reason: reasonOf(e, from, byOverride.has(e.scheme), inForce(forPeriod[e.scheme], period, pack.timeZone)),
          ruleId: e.explanation.decidedBy.id,
          policyVersion: e.explanation.policyVersion,
        });
        current[e.scheme] = e.level;
      }
      priors[e.scheme] = nextPrior(e, period);
      if (e.explanation.decidedBy.kind === 'override') byOverride.add(e.scheme);
      else byOverride.delete(e.scheme);
    }
  }
  return { final, before, shownBefore, events };
}

/**
 * The stored assignments a run ends with: its last evaluation per scheme, plus the state before the
 * last period so that evaluating that month again starts where it did (re-sending a month is idempotent).
 * `previous` gives the level shown before that period where the run cannot know it (the same month
 * evaluated again: what it shows now is already that month's result).
 */
export function assignmentRows(
  run: PeriodRun,
  subjectId: string,
  period: string,
  evaluatedAt: string,
  previous?: Readonly<Record<string, string | null>>,
): StoredAssignment[] {
  return run.final.map((e) => {
    const base = run.before[e.scheme];
    const previousLevel = previous && e.scheme in previous ? (previous[e.scheme] ?? null) : (run.shownBefore[e.scheme] ?? null);
    return {
      subjectId,
      scheme: e.scheme,
      level: e.level,
      rank: e.rank,
      periodsBelow: nextPrior(e).periodsBelow,
      base: { level: base?.level ?? null, periodsBelow: base?.periodsBelow ?? 0 },
      previousLevel,
      explanation: e.explanation,
      progress: e.progress,
      retention: e.retention,
      approvalRequired: e.approvalRequired,
      policyVersion: e.explanation.policyVersion,
      period,
      evaluatedAt,
    };
  });
}
