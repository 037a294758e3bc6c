import type { LocalizedText } from './locale.js';
import type { MetricUnit, WindowSpec } from './metric.js';
import type { OverrideMode } from './override.js';

/** One input the decision read, with the value it had. */
export interface ExplanationInput {
  readonly metric: string;
  /** null when the metric was read as a plain latest value. */
  readonly window: WindowSpec | null;
  readonly value: number;
  readonly unit: MetricUnit;
  readonly currency?: string;
}

export const DECISION_KINDS = ['threshold', 'band', 'trigger', 'matrix', 'hysteresis', 'override', 'default'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/**
 * Why a subject got its level. Reproducible: evaluating the policy `policyId@policyVersion` with only
 * `inputs` gives the same level.
 */
export interface Explanation {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly decidedBy: {
    readonly kind: DecisionKind;
    /** Id of the rule, band, trigger or override that decided. */
    readonly id: string;
    readonly label: LocalizedText;
  };
  readonly inputs: readonly ExplanationInput[];
  /** For weighted schemes: the total score and each factor's points. */
  readonly score?: { readonly total: number; readonly factors: readonly { readonly id: string; readonly points: number }[] };
  /** The month evaluated (`YYYY-MM`); hysteresis counts periods by it. Added by the engine (core). */
  readonly asOf?: string;
  /** The prior assignment hysteresis started from, when there was one: replaying needs it too. */
  readonly prior?: { readonly level: string; readonly periodsBelow: number; readonly period?: string };
  /** For derived and matrix schemes: the levels of the schemes read (`{ 'risk-band': 'low', 'value-band': 'high' }`). */
  readonly levelsRead?: Readonly<Record<string, string>>;
  /**
   * The manual override that set the level, when one did (absent when an override was given but did not
   * apply: expired, or a floor below the rules' level). Replaying re-applies it. Added by the engine (core).
   */
  readonly override?: { readonly id: string; readonly level: string; readonly mode: OverrideMode };
}

/**
 * An explanation as a customer reads it (an embed token): without the policy's id and version, the id
 * of the rule, band or trigger that decided and the id of an override that did — how the bank runs its policies, which no customer-facing
 * widget shows (packages/api/README.md, "What a customer sees"). `decidedBy` keeps its kind and its words.
 */
export interface CustomerExplanation extends Omit<Explanation, 'policyId' | 'policyVersion' | 'decidedBy' | 'override'> {
  readonly decidedBy: { readonly kind: DecisionKind; readonly label: LocalizedText };
  /** The override's level and mode, without its id: the request's id is the bank's internal record. */
  readonly override?: { readonly level: string; readonly mode: OverrideMode };
}

/** One way to reach the next level: the metric, where it stands, where it must be. */
export interface ProgressPath {
  readonly metric: string;
  readonly window: WindowSpec | null;
  readonly unit: MetricUnit;
  readonly currency?: string;
  readonly current: number;
  readonly required: number;
  /** required − current, never negative. For money: minor units ("¥12,000 more" = 1_200_000). */
  readonly gap: number;
  /**
   * Only in a customer's read: the metric's name with its measure (「月日均资产（近3个月平均）」), so the
   * gap line says what the amount is measured on without the widget carrying the window's words.
   */
  readonly name?: LocalizedText;
}

/**
 * How far the subject is from the next level. For any-of rules, `paths` lists every route and
 * `nearest` indexes the one with the smallest relative gap among the paths on metrics the customer can
 * move (`MetricDef.actionable`), or among all when none is. null when already at the top level.
 */
export interface Progress {
  readonly toLevel: string;
  readonly paths: readonly ProgressPath[];
  readonly nearest: number;
}

/**
 * What would cause a downgrade: the line the subject must stay above, and how many periods
 * below it are tolerated before the level drops.
 */
export interface Retention {
  readonly toLevel: string;
  readonly lines: readonly ProgressPath[];
  readonly periodsBelow: number;
  readonly periodsAllowed: number;
}
