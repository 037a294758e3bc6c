import type { Explanation, Progress, Retention } from './explanation.js';

/** What one evaluation of one scheme for one subject returns. */
export interface Evaluation {
  readonly scheme: string;
  readonly level: string;
  readonly rank: number;
  readonly previousLevel: string | null;
  readonly changed: boolean;
  readonly approvalRequired: boolean;
  readonly explanation: Explanation;
  readonly progress: Progress | null;
  readonly retention: Retention | null;
  /**
   * Optional (set by the engine on every evaluation): what to carry to the next period's evaluation.
   * It is the level the rules and hysteresis gave WITHOUT any override, with its periods below, so
   * an override never becomes the base that hysteresis holds after it ends. Read it through `nextPrior`.
   */
  readonly state?: PriorAssignment;
}

/**
 * What the engine needs to remember between evaluations of one subject in one scheme, so that
 * downgrades can wait ("fast up, slow down"). Stored with the assignment.
 */
export interface PriorAssignment {
  readonly level: string;
  /** Consecutive evaluated periods the subject has been below its current level's line. */
  readonly periodsBelow: number;
  /**
   * Optional: the period (`YYYY-MM`) this prior was evaluated for. When it equals the period being
   * evaluated again, the period is not counted twice (re-running a month's batch is idempotent).
   */
  readonly period?: string;
}
