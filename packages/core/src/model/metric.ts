import type { LocalizedText } from './locale.js';
import type { SubjectKind } from './scheme.js';

/**
 * How a metric's integer value is to be read.
 * - money: minor units of `currency` (fen)
 * - count, days: whole numbers
 * - score: points (0–100 unless the metric says otherwise)
 * - boolean: 0 or 1
 * - bp: basis points (1/100 of a percent)
 */
export const METRIC_UNITS = ['money', 'count', 'days', 'score', 'boolean', 'bp'] as const;
export type MetricUnit = (typeof METRIC_UNITS)[number];

/** A metric the policies may read, with the label widgets show ("月日均资产"). */
export interface MetricDef {
  readonly key: string;
  readonly unit: MetricUnit;
  /** ISO 4217, only for `money`. */
  readonly currency?: string;
  readonly label: LocalizedText;
  /**
   * The kinds of subject it is measured on (a company's revenue, an employee's tenure); only schemes
   * of these kinds may read it. Absent: any kind, except a metric of the default catalogue, which keeps
   * that catalogue's kinds (`metricSubjectKinds`), so catalogues stored before the field are checked too.
   */
  readonly subjectKinds?: readonly SubjectKind[];
  /**
   * Whether a customer can move this metric by what they do (deposit, spend): the customer's progress
   * sentence prefers a path on such a metric and falls back to the others only when none remains. A
   * declared or assessed figure (household income, a credit score, age) is `false`. Absent = `true`,
   * so a catalogue written before the flag keeps its nearest paths.
   */
  readonly actionable?: boolean;
  /**
   * `staff`: a classification the bank keeps from the customer (AML risk, PEP status, its credit score):
   * no customer scheme may decide a level on it, since the level itself would tell the customer which
   * side of the line they are (docs/domain.md §4). Absent: the default catalogue's for
   * the key (`metricAudience`), so catalogues stored before the field are guarded too; else any.
   * `compliance`: kept from customers and stricter still — an AML score or PEP status weighs nothing in a
   * customer score either, where a `staff` figure (the bank's credit score) may weigh a minority: any
   * weight of it can carry a customer across a band, and that band then says what tipping-off forbids.
   */
  readonly audience?: 'staff' | 'compliance';
}

/** How a windowed metric folds its months into one number. */
// `count`: how many months of the window have an observation (0 = no data at all: never assessed).
export const WINDOW_FUNCTIONS = ['avg', 'min', 'max', 'sum', 'last', 'count'] as const;
export type WindowFunction = (typeof WINDOW_FUNCTIONS)[number];

/**
 * What to do with months that have no observation inside the window.
 * - zero: count them as 0 (a dormant month drags the average down)
 * - shorten: leave them out, dividing by the months that exist (PSBC divides by the days an account existed)
 */
export const MISSING_RULES = ['zero', 'shorten'] as const;
export type MissingRule = (typeof MISSING_RULES)[number];

/** "avg of the last 3 months, missing months count as zero". */
export interface WindowSpec {
  readonly fn: WindowFunction;
  readonly months: number;
  readonly missing: MissingRule;
}

/** One observation: integer value of `metric` for a month (`YYYY-MM`). */
export interface MetricObservation {
  readonly metric: string;
  readonly period: string;
  readonly value: number;
}

/**
 * Everything the engine knows about one subject at evaluation time: per metric, per month, one integer.
 * `asOf` is the latest month the evaluation counts (windows end there).
 */
export interface SubjectFacts {
  readonly asOf: string;
  readonly values: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
