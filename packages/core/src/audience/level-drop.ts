import type { CustomerDrop } from '../model/api.js';
import type { EventReason } from '../model/history.js';
import type { MetricDef } from '../model/metric.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { customerDrop } from './customer-keep.js';

/** What decided a move down, as an event or an assignment records it. */
export interface LevelMove {
  readonly from: string | null;
  readonly to: string;
  /** The event's reason; an assignment passes `rule` unless an override holds it. */
  readonly reason: EventReason;
  /** The deciding rule's id: a trigger's id keeps its drop unexplained. */
  readonly ruleId: string | null;
  readonly policyVersion: number | undefined;
}

/**
 * Why the rules lowered a level, in the criteria of the level lost — one sentence for the customer's
 * history and for staff's, so an RM reads what the customer was told (and, with every metric `open`,
 * the lines a customer may not see named too). Undefined when the move was no drop by the rules: an
 * override or its expiry says nothing about the criteria, and a trigger forces its level at once, past
 * the grace period and for its own reason, so "below the criteria for N months" would be false.
 */
export function levelDrop(
  s: SchemeDefinition,
  move: LevelMove,
  metrics: readonly MetricDef[],
  open: (metric: string) => boolean,
): CustomerDrop | undefined {
  // A staff scheme's ranks need not rise with what the customer gains (aml-risk's 高 ranks above 中), and
  // no customer was told anything of it: "below the criteria of 高风险" would read a relief as a loss.
  if (s.audience !== 'customer') return undefined;
  if (move.from === null || (move.reason !== 'rule' && move.reason !== 'lowering-approved')) return undefined;
  const rank = (k: string) => s.levels.find((l) => l.key === k)?.rank ?? -1;
  if (rank(move.from) <= rank(move.to)) return undefined;
  if ('triggers' in s.policy && s.policy.triggers?.some((t) => t.id === move.ruleId)) return undefined;
  return customerDrop(s, move.from, move.policyVersion, metrics, open);
}

/**
 * `levelDrop` for a stored level: lowered at its latest re-tier (`previousLevel` ranked above it) by the
 * rules, not an override holding it. Staff read it on `/tiers` and in a book's lists, where the deciding
 * rule's label alone ("no rule for a higher level holds") told an RM nothing to pass on. `latest` is the
 * reason of the scheme's latest tier event: the row keeps no reason of its own, and a level a policy
 * change lowered (政策调整 to the customer) is decided by a rule just as a rules drop is.
 */
export function assignmentDrop(
  s: SchemeDefinition,
  a: {
    readonly level: string;
    readonly previousLevel: string | null;
    readonly base: { readonly level: string | null };
    readonly explanation: { readonly policyVersion: number; readonly decidedBy: { readonly kind: string; readonly id: string } };
  },
  latest: EventReason | undefined,
  metrics: readonly MetricDef[],
): CustomerDrop | undefined {
  // An override decided the month before (the customer saw its level, the engine carried the earned
  // one): the move down is its expiry, which the history records without a reason.
  if (a.base.level !== a.previousLevel) return undefined;
  const { kind, id } = a.explanation.decidedBy;
  if (kind === 'override' || latest === undefined) return undefined;
  const move = {
    from: a.previousLevel,
    to: a.level,
    reason: latest,
    ruleId: kind === 'trigger' ? id : null,
    policyVersion: a.explanation.policyVersion,
  } as const;
  return levelDrop(s, move, metrics, () => true);
}
