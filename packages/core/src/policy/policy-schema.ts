import { z } from 'zod';
import { MISSING_RULES, WINDOW_FUNCTIONS } from '../model/metric.js';
import { LOCALES } from '../model/locale.js';

/*
 * The policy document: one scheme's rules as data. It is what an administrator edits, diffs,
 * simulates and approves, so every field is plain JSON and validated here with field paths.
 */

export const localizedTextSchema = z.object(
  Object.fromEntries(LOCALES.map((l) => [l, z.string().min(1)])) as Record<(typeof LOCALES)[number], z.ZodString>,
);

export const windowSchema = z.object({
  fn: z.enum(WINDOW_FUNCTIONS),
  months: z.number().int().min(1).max(120),
  missing: z.enum(MISSING_RULES),
});

export const COMPARISON_OPS = ['gte', 'gt', 'lte', 'lt', 'eq'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** `metric` folded over `window` compared with `value` (integer, in the metric's unit: fen for money). */
export interface ThresholdCondition {
  readonly kind: 'threshold';
  readonly id?: string | undefined;
  readonly label?: z.infer<typeof localizedTextSchema> | undefined;
  readonly metric: string;
  /** null or absent: the latest observation at or before `asOf`, however old. */
  readonly window?: z.infer<typeof windowSchema> | null | undefined;
  readonly op: ComparisonOp;
  readonly value: number;
}
/** Every / at least one of `of` holds. Nest freely. */
export interface GroupCondition {
  readonly kind: 'any' | 'all';
  readonly id?: string | undefined;
  readonly label?: z.infer<typeof localizedTextSchema> | undefined;
  readonly of: readonly Condition[];
}
export type Condition = ThresholdCondition | GroupCondition;

export const thresholdSchema = z.object({
  kind: z.literal('threshold'),
  id: z.string().min(1).optional(),
  label: localizedTextSchema.optional(),
  metric: z.string().min(1),
  window: windowSchema.nullable().optional(),
  op: z.enum(COMPARISON_OPS),
  value: z.number().int(),
});

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    thresholdSchema,
    z.object({
      kind: z.enum(['any', 'all']),
      id: z.string().min(1).optional(),
      label: localizedTextSchema.optional(),
      of: z.array(conditionSchema).min(1),
    }),
  ]),
);

/** A metric read for a weighted score, turned into 0–100 points by its transform. */
export const factorSchema = z.object({
  id: z.string().min(1),
  label: localizedTextSchema.optional(),
  metric: z.string().min(1),
  window: windowSchema.nullable().optional(),
  /** Weights of a policy's factors must add up to 100; the total score is then 0–100. */
  weight: z.number().int().min(0).max(100),
  transform: z.discriminatedUnion('kind', [
    /** 0 points at or below `from`, 100 at or above `to`, straight line between. */
    z.object({ kind: z.literal('linear'), from: z.number().int(), to: z.number().int() }),
    /** The points of the highest band whose `min` the value reaches; 0 below the first. */
    z.object({
      kind: z.literal('bands'),
      bands: z.array(z.object({ min: z.number().int(), points: z.number().min(0).max(100) })).min(1),
    }),
    /** 100 points when the value is non-zero. */
    z.object({ kind: z.literal('boolean') }),
  ]),
});

/** A condition that forces a level whatever the score or rules say, and skips hysteresis. */
export const triggerSchema = z.object({
  id: z.string().min(1),
  label: localizedTextSchema,
  level: z.string().min(1),
  when: conditionSchema,
});

export const hysteresisSchema = z.object({
  /** Consecutive evaluated periods below the current level's line before the level drops (0 = at once). */
  downgradeAfterPeriods: z.number().int().min(0).max(60),
  /**
   * Optional, in per-mille of each threshold (900 = 90 %): while the subject still meets its level's
   * rule with thresholds scaled down to this fraction, it keeps the level and no period counts as below.
   */
  retentionPermille: z.number().int().min(1).max(1000).optional(),
});

const policyBase = {
  id: z.string().min(1),
  version: z.number().int().min(1),
  /** Free text for the approver: why this version exists. */
  note: z.string().optional(),
};

export const rulesPolicySchema = z.object({
  ...policyBase,
  kind: z.literal('rules'),
  /** From any level but the lowest: the condition to reach it. The highest level whose condition holds wins. */
  levels: z.array(z.object({ level: z.string().min(1), when: conditionSchema })).min(1),
  triggers: z.array(triggerSchema).optional(),
  hysteresis: hysteresisSchema.optional(),
});

export const scorePolicySchema = z.object({
  ...policyBase,
  kind: z.literal('score'),
  factors: z.array(factorSchema).min(1),
  /** Ascending `min` score per level; below the first band the subject gets the lowest level. */
  bands: z.array(z.object({ level: z.string().min(1), min: z.number().min(0).max(100) })).min(1),
  triggers: z.array(triggerSchema).optional(),
  hysteresis: hysteresisSchema.optional(),
});

/** One scheme read by a derived policy, and the table from its levels to the derived scheme's. */
export const derivedSourceSchema = z.object({ from: z.string().min(1), map: z.record(z.string(), z.string()) });

/**
 * Level read from another scheme's level through a table (collapsing AML's four levels into three
 * bands). With `alsoFrom`, more schemes are read the same way and the highest-ranked of the mapped
 * levels wins: a risk band that is the worse of the AML band and the credit band.
 */
export const derivedPolicySchema = z.object({
  ...policyBase,
  kind: z.literal('derived'),
  from: z.string().min(1),
  map: z.record(z.string(), z.string()),
  alsoFrom: z.array(derivedSourceSchema).min(1).optional(),
});

/** The cell of the scheme's `matrix` definition (rows × cols from two other schemes) is the level. */
export const matrixPolicySchema = z.object({ ...policyBase, kind: z.literal('matrix') });

export const policySchema = z.discriminatedUnion('kind', [rulesPolicySchema, scorePolicySchema, derivedPolicySchema, matrixPolicySchema]);

/** A scheme's policy document. */
export type Policy = z.infer<typeof policySchema>;
export type RulesPolicy = z.infer<typeof rulesPolicySchema>;
export type ScorePolicy = z.infer<typeof scorePolicySchema>;
export type DerivedPolicy = z.infer<typeof derivedPolicySchema>;
export type DerivedSource = z.infer<typeof derivedSourceSchema>;
export type MatrixPolicy = z.infer<typeof matrixPolicySchema>;
export type ScoreFactor = z.infer<typeof factorSchema>;
export type Trigger = z.infer<typeof triggerSchema>;
export type Hysteresis = z.infer<typeof hysteresisSchema>;
export type PolicyWindow = z.infer<typeof windowSchema>;
