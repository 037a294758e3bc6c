import type { LocalizedText } from '../model/locale.js';
import type { DecisionKind, Explanation, ProgressPath } from '../model/explanation.js';
import type { Hysteresis } from '../policy/policy-schema.js';
import type { InputRegistry } from './inputs.js';

/** Which rule, band or trigger decided, as an explanation names it. */
export interface Decision {
  readonly index: number;
  readonly kind: DecisionKind;
  readonly id: string;
  readonly label: LocalizedText;
  /** A hard trigger decided: hysteresis does not hold the old level. */
  readonly triggered: boolean;
  readonly score?: { readonly total: number; readonly factors: readonly { readonly id: string; readonly points: number }[] };
  readonly levelsRead?: Readonly<Record<string, string>>;
  /** The explanation's `decidedBy`, built once when the decision does not depend on the subject. */
  readonly decidedBy?: Explanation['decidedBy'];
}

/** A decision that does not depend on the subject, with its frozen `decidedBy`, shared by every evaluation it decides. */
export function decision(index: number, kind: DecisionKind, id: string, label: LocalizedText, triggered: boolean): Decision {
  return { index, kind, id, label, triggered, decidedBy: Object.freeze({ kind, id, label }) };
}

/**
 * The compiled core of one policy kind. Levels are addressed by index into the scheme's levels,
 * lowest rank first. `vec` holds the values of `inputs`, filled by the caller.
 */
export interface Decider {
  readonly inputs: InputRegistry;
  readonly hysteresis: Hysteresis | undefined;
  /** Fast path: the level index, nothing else. */
  decide(vec: Float64Array, levels: Readonly<Record<string, string>> | undefined): number;
  explain(vec: Float64Array, levels: Readonly<Record<string, string>> | undefined): Decision;
  /** Whether a subject at level `index` still stands on that level's retention line (hysteresis). */
  retains(vec: Float64Array, index: number): boolean;
  /** How to reach the next level above `index`, or null (top level, or no metric route). */
  progress(vec: Float64Array, index: number): { toIndex: number; paths: ProgressPath[]; nearest: number } | null;
  /** The lines that keep level `index`. */
  retentionLines(vec: Float64Array, index: number): ProgressPath[];
}
