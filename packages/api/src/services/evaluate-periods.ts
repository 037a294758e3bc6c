import type { StoredAssignment } from '@tierkit/db';
import { nextPrior, type CompiledPack, type Evaluation, type EventReason, type OverrideInfo, type PriorAssignment, type SubjectKind } from '@tierkit/core';

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
  /** Every level change, oldest first. */
  readonly events: readonly PeriodEvent[];
}

/** Overrides by scheme key, either the same for every period or chosen per evaluated period. */
export type PeriodOverrides =
  | Readonly<Record<string, OverrideInfo>>
  | ((period: string) => Readonly<Record<string, OverrideInfo>>);

function reasonOf(e: Evaluation, from: string | null): EventReason {
  if (e.explanation.decidedBy.kind === 'override') return 'override';
  return from === null ? 'initial' : 'rule';
}

/**
 * Evaluate one subject month after month, carrying the hysteresis state forward, the way a monthly
 * batch would have — so "three months below before a downgrade" holds even when several months of
 * data arrive at once. Pure: all tiering logic is the engine's; this only sequences it.
 *
 * @param start  state before the first period, per scheme (absent: the subject had no level yet)
 * @param shown  the levels the history currently shows, per scheme; a change is recorded against these
 * @param overrides  per scheme; a function picks them per period (an override must not decide months before it existed)
 */
export function evaluatePeriods(
  compiled: CompiledPack,
  kind: SubjectKind,
  values: Values,
  periods: readonly string[],
  start: Readonly<Record<string, PriorAssignment | undefined>>,
  shown: Readonly<Record<string, string | undefined>>,
  overrides: PeriodOverrides = {},
): PeriodRun {
  const priors: Record<string, PriorAssignment> = {};
  for (const [scheme, prior] of Object.entries(start)) if (prior) priors[scheme] = prior;
  const current: Record<string, string | undefined> = { ...shown };
  const events: PeriodEvent[] = [];
  let final: readonly Evaluation[] = [];
  let before: Record<string, PriorAssignment | undefined> = { ...priors };
  for (const period of periods) {
    before = { ...priors };
    final = compiled.evaluateSubject(kind, { asOf: period, values }, priors, typeof overrides === 'function' ? overrides(period) : overrides);
    for (const e of final) {
      const from = current[e.scheme] ?? null;
      if (from !== e.level) {
        events.push({
          scheme: e.scheme,
          from,
          to: e.level,
          period,
          reason: reasonOf(e, from),
          ruleId: e.explanation.decidedBy.id,
          policyVersion: e.explanation.policyVersion,
        });
        current[e.scheme] = e.level;
      }
      priors[e.scheme] = nextPrior(e, period);
    }
  }
  return { final, before, events };
}

/**
 * The stored assignments a run ends with: its last evaluation per scheme, plus the state before the
 * last period so that evaluating that month again starts where it did (re-sending a month is idempotent).
 */
export function assignmentRows(run: PeriodRun, subjectId: string, period: string, evaluatedAt: string): StoredAssignment[] {
  return run.final.map((e) => {
    const base = run.before[e.scheme];
    return {
      subjectId,
      scheme: e.scheme,
      level: e.level,
      rank: e.rank,
      periodsBelow: nextPrior(e).periodsBelow,
      base: { level: base?.level ?? null, periodsBelow: base?.periodsBelow ?? 0 },
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
