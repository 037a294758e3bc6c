import { z } from 'zod';
import { METRIC_UNITS } from '../model/metric.js';
import { LEVEL_COLORS, SCHEME_AUDIENCES, SCHEME_CATEGORIES, SUBJECT_KINDS, WHILE_PENDING } from '../model/scheme.js';
import { QUOTA_PERIODS } from '../model/entitlement.js';
import { CELL_TONES } from '../model/matrix.js';
import { OVERRIDE_APPROVERS, OVERRIDE_REQUESTERS } from '../model/override-rule.js';
import { READER_ROLES } from '../model/scheme-readers.js';
import type { EntitlementDef } from '../model/entitlement.js';
import type { MatrixDef } from '../model/matrix.js';
import type { MetricDef } from '../model/metric.js';
import type { SchemeAudience, SchemeSummary } from '../model/scheme.js';
import { localizedTextSchema, policySchema } from './policy-schema.js';
import type { Policy } from './policy-schema.js';

/** A tenant's whole configuration: the metric catalogue and its schemes (each with levels, policy, entitlements). */
export interface PolicyPack {
  readonly metrics: readonly MetricDef[];
  readonly schemes: readonly SchemeDefinition[];
}

/** One scheme with everything needed to evaluate it and to say what its levels entitle. */
export interface SchemeDefinition extends SchemeSummary {
  /** Required in a pack: who may see this scheme (a customer's credential only ever gets `customer`). */
  readonly audience: SchemeAudience;
  readonly policy: Policy;
  /** Level key → what that level grants or restricts. Each level lists its full set (nothing is inherited). */
  readonly entitlements?: Readonly<Record<string, readonly EntitlementDef[]>>;
  /** For category `matrix`: the grid whose cell is the level. */
  readonly matrix?: MatrixDef;
  /**
   * A staff scheme's: how a customer's own list shows a benefit of a customer scheme that this scheme's
   * restriction blocks. `omit` (the default): left out, as if the level did not include it — a notice
   * that only, say, AML-restricted customers get would tell them the staff classification. `notice`:
   * listed as blocked with "unavailable: please contact your branch" (`UNAVAILABLE_NOTICE`), never why.
   * Staff see the block whole either way. Read only on staff schemes.
   */
  readonly customerBlocks?: CustomerBlocks;
}

/** How a customer's list shows a benefit a staff scheme blocks (`SchemeDefinition.customerBlocks`). */
export const CUSTOMER_BLOCKS = ['omit', 'notice'] as const;
export type CustomerBlocks = (typeof CUSTOMER_BLOCKS)[number];

/**
 * What a key (of a scheme, level, metric, entitlement) may be: a letter or digit, then letters, digits,
 * "_", "-", ".". Spelled without a flag: the API publishes it as an OpenAPI `pattern`, a string that
 * carries none — `/…/i` was published as `^…$/i`, which no key matches (an auditor's finding).
 */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const key = z.string().min(1).max(64).regex(KEY_PATTERN, 'letters, digits, "_", "-", "." only');

export const metricDefSchema = z.object({
  key,
  unit: z.enum(METRIC_UNITS),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  label: localizedTextSchema,
  subjectKinds: z.array(z.enum(SUBJECT_KINDS)).min(1).optional(),
  actionable: z.boolean().optional(),
  audience: z.enum(['staff', 'compliance']).optional(),
});

export const levelDefSchema = z.object({
  key,
  rank: z.number().int().min(0),
  name: localizedTextSchema,
  color: z.enum(LEVEL_COLORS),
  approvalRequired: z.boolean().optional(),
  reviewMonths: z.number().int().min(1).optional(),
  whilePending: z.enum(WHILE_PENDING).optional(),
  customer: z.object({ name: localizedTextSchema, color: z.enum(LEVEL_COLORS) }).optional(),
});

const entitlementBase = { key, label: localizedTextSchema };
export const entitlementSchema = z.discriminatedUnion('kind', [
  z.object({ ...entitlementBase, kind: z.literal('feature') }),
  z.object({
    ...entitlementBase,
    kind: z.literal('quota'),
    amount: z.number().int().min(0),
    period: z.enum(QUOTA_PERIODS),
    usageMetric: z.string().optional(),
  }),
  z.object({ ...entitlementBase, kind: z.literal('rate'), bp: z.number().int(), applies: z.enum(['deposit', 'loan', 'fee']) }),
  z.object({ ...entitlementBase, kind: z.literal('limit'), multiplierPermille: z.number().int().min(0), applies: z.string().min(1) }),
  z.object({ ...entitlementBase, kind: z.literal('restriction'), reason: localizedTextSchema, blocks: z.array(z.string()).optional() }),
]);

export const matrixDefSchema = z.object({
  scheme: z.string(),
  rowScheme: z.string(),
  colScheme: z.string(),
  rows: z.array(z.string()).min(1),
  cols: z.array(z.string()).min(1),
  cells: z.array(z.object({ row: z.string(), col: z.string(), level: z.string(), action: localizedTextSchema, tone: z.enum(CELL_TONES) })),
});

/** A scheme's rule for overrides (`OverrideRule`): who files, who approves, how long one may run. */
export const overrideRuleSchema = z.object({
  requestedBy: z.enum(OVERRIDE_REQUESTERS),
  approvedBy: z.enum(OVERRIDE_APPROVERS),
  // Ten years: beyond that a bound bounds nothing.
  maxDays: z.number().int().min(1).max(3660).nullable(),
  order: z.array(z.string()).optional(),
  loosenNeeds: z.enum(OVERRIDE_APPROVERS).optional(),
  maxStep: z.number().int().min(1).max(100).optional(),
});

export const schemeDefinitionSchema = z.object({
  key,
  subjectKind: z.enum(SUBJECT_KINDS),
  category: z.enum(SCHEME_CATEGORIES),
  audience: z.enum(SCHEME_AUDIENCES),
  name: localizedTextSchema,
  levels: z.array(levelDefSchema).min(1),
  policy: policySchema,
  entitlements: z.record(z.string(), z.array(entitlementSchema)).optional(),
  matrix: matrixDefSchema.optional(),
  overrides: overrideRuleSchema.optional(),
  loweringNeeds: z.enum(OVERRIDE_APPROVERS).optional(),
  customerBlocks: z.enum(CUSTOMER_BLOCKS).optional(),
  // Each role once, at least one: a scheme nobody on staff reads could not be reviewed or signed off.
  readers: z
    .object({
      roles: z
        .array(z.enum(READER_ROLES))
        .min(1)
        .refine((r) => new Set(r).size === r.length, 'each role once'),
      books: z.boolean().optional(),
    })
    .strict()
    .optional(),
});

export const policyPackSchema = z.object({
  metrics: z.array(metricDefSchema),
  schemes: z.array(schemeDefinitionSchema),
});
