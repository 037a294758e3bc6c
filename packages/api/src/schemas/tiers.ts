import { z } from '@hono/zod-openapi';
import { APPROVAL_BLOCKS, CUSTOMER_EVENT_REASONS, DECISION_KINDS, EVENT_REASONS, OVERRIDE_MODES } from '@tierkit/core';
import {
  LocalizedTextSchema,
  MatrixDefSchema,
  MetricDefSchema,
  SchemeSummarySchema,
  SubjectRefSchema,
  WindowSpecSchema,
} from './common.js';
import { METRIC_UNITS } from '@tierkit/core';

const unit = z.enum(METRIC_UNITS);

const explanationFields = {
  inputs: z
    .array(z.object({ metric: z.string(), window: WindowSpecSchema.nullable(), value: z.number(), unit, currency: z.string().optional() }))
    .readonly(),
  score: z.object({ total: z.number(), factors: z.array(z.object({ id: z.string(), points: z.number() })).readonly() }).optional(),
  asOf: z.string().optional(),
  prior: z.object({ level: z.string(), periodsBelow: z.number().int(), period: z.string().optional() }).optional(),
  levelsRead: z.record(z.string(), z.string()).optional(),
};

export const ExplanationSchema = z
  .object({
    policyId: z.string(),
    policyVersion: z.number().int(),
    decidedBy: z.object({ kind: z.enum(DECISION_KINDS), id: z.string(), label: LocalizedTextSchema }),
    ...explanationFields,
    override: z
      .object({ id: z.string(), level: z.string(), mode: z.enum(OVERRIDE_MODES) })
      .optional()
      .openapi({ description: 'The override that set the level, when one did: replaying the explanation needs it.' }),
  })
  .openapi('Explanation', { description: 'An explanation as staff read it: reproducible from `policyId@policyVersion` and `inputs`' });

export const CustomerExplanationSchema = z
  .object({
    decidedBy: z.object({ kind: z.enum(DECISION_KINDS), label: LocalizedTextSchema }).strict(),
    ...explanationFields,
    override: z
      .object({ level: z.string(), mode: z.enum(OVERRIDE_MODES) })
      .strict()
      .optional()
      .openapi({ description: 'The level and mode of the override that set the level, when one did; never its id' }),
  })
  .strict()
  .openapi('CustomerExplanation', {
    description:
      'An explanation as a customer reads it (an embed token): no `policyId`, `policyVersion`, `decidedBy.id` or `override.id` — how the bank runs its policies (see "What a customer sees")',
  });

const ProgressPathSchema = z
  .object({
    metric: z.string(),
    window: WindowSpecSchema.nullable(),
    unit,
    currency: z.string().optional(),
    current: z.number(),
    required: z.number(),
    gap: z.number().openapi({ description: 'required − current, never negative; money in minor units' }),
    name: LocalizedTextSchema.optional().openapi({
      description: 'Only in a customer’s read: the metric’s name with its measure, 「月日均资产（近3个月平均）」',
    }),
  })
  .openapi('ProgressPath');

export const ProgressSchema = z
  .object({ toLevel: z.string(), paths: z.array(ProgressPathSchema).readonly(), nearest: z.number().int() })
  .openapi('Progress');

export const RetentionSchema = z
  .object({
    toLevel: z.string(),
    lines: z.array(ProgressPathSchema).readonly(),
    periodsBelow: z.number().int(),
    periodsAllowed: z.number().int(),
  })
  .openapi('Retention');

export const OverrideInfoSchema = z
  .object({
    id: z.string(),
    scheme: z.string(),
    level: z.string(),
    mode: z.enum(OVERRIDE_MODES),
    reason: z.string(),
    expiresAt: z.string().nullable(),
    requestedBy: z.string(),
    approvedBy: z.string().nullable(),
  })
  .openapi('OverrideInfo');

export const CustomerOverrideInfoSchema = z
  .object({ scheme: z.string(), level: z.string(), mode: z.enum(OVERRIDE_MODES), expiresAt: z.string().nullable() })
  .strict()
  .openapi('CustomerOverrideInfo', {
    description:
      "An override as a customer reads it (an embed token): the level it holds, how and until when. Its id, reason, requester and approver are the bank's internal record: absent",
  });

const assignmentFields = {
  scheme: z.string(),
  level: z.string(),
  rank: z.number().int(),
  previousLevel: z.string().nullable(),
  changed: z.boolean(),
  approvalRequired: z.boolean(),
  progress: ProgressSchema.nullable(),
  retention: RetentionSchema.nullable(),
  schemeInfo: SchemeSummarySchema,
  period: z.string().openapi({ example: '2025-10' }),
  evaluatedAt: z.string().openapi({ example: '2025-11-01T00:00:00.000Z' }),
  matrix: MatrixDefSchema.optional(),
};

/** A scheme as a customer reads it: no override rule, which is the bank's governance (see "What a customer sees"). */
const CustomerSchemeSummarySchema = SchemeSummarySchema.omit({ overrides: true }).strict().openapi('CustomerSchemeSummary', {
  description: 'A scheme as a customer reads it (an embed token): no `overrides`, the bank’s rule for exceptions',
});

/** One published criterion as a customer reads it (core's `CustomerLine`). */
const CustomerLineSchema = z
  .object({
    metric: z.string(),
    name: LocalizedTextSchema.openapi({ description: 'The metric’s name with its measure: 「月日均资产（近3个月平均）」' }),
    window: WindowSpecSchema.nullable(),
    unit,
    currency: z.string().optional(),
    required: z.number().openapi({ description: 'The amount to reach; money in minor units of `currency`' }),
  })
  .strict()
  .openapi('CustomerLine');

const CustomerKeepSchema = z
  .object({
    toLevel: z.string().openapi({ description: 'The level it drops to if no line is held' }),
    lines: z.array(CustomerLineSchema).readonly().openapi({
      description:
        'Holding any one at the next review keeps the level; empty when the level’s criteria must all hold (or are not plain thresholds), as no single line then keeps it',
    }),
    periodsBelow: z.number().int(),
    periodsLeft: z
      .number()
      .int()
      .openapi({ description: 'Reviews left to get back above the line: with 1, the next review below drops the level' }),
    nextReview: z.string().openapi({ description: 'The month (`YYYY-MM`) whose data the next review reads', example: '2025-11' }),
    text: LocalizedTextSchema.openapi({ description: '「保级期：月日均资产（近3个月平均）需达到 ¥500,000，剩余 2 个月」' }),
  })
  .strict()
  .openapi('CustomerKeep', {
    description:
      'Only while a customer’s level is in its grace period (below its line, kept for now): what keeps it, in the scheme’s published criteria — no rule id or note',
  });

export const CustomerDropSchema = z
  .object({
    level: z.string().openapi({ description: 'The level lost' }),
    periods: z.number().int().openapi({ description: 'Months below its line allowed before a drop' }),
    lines: z.array(CustomerLineSchema).readonly().openapi({
      description:
        'The lost level’s criteria as published, each missed; empty when the move was decided under another policy version than today’s or the criteria must all hold (which one was missed is not said)',
    }),
    text: LocalizedTextSchema.openapi({ description: '「连续3个月未达到金卡标准：月日均资产（近3个月平均）低于 ¥500,000」' }),
  })
  .strict()
  .openapi('CustomerDrop', { description: 'Why the rules lowered a customer’s level, in the customer scheme’s published criteria' });

export const CustomerAssignmentSchema = z
  .object({
    ...assignmentFields,
    schemeInfo: CustomerSchemeSummarySchema,
    explanation: CustomerExplanationSchema,
    override: CustomerOverrideInfoSchema.nullable(),
    keep: CustomerKeepSchema.optional(),
  })
  .strict()
  .openapi('CustomerAssignment', {
    description: 'An assignment as a customer reads it (an embed token, `audience: "customer"`): see "What a customer sees"',
  });

export const AssignmentSchema = z
  .object({
    scheme: z.string(),
    level: z.string(),
    rank: z.number().int(),
    previousLevel: z.string().nullable(),
    changed: z.boolean(),
    approvalRequired: z.boolean(),
    explanation: ExplanationSchema,
    progress: ProgressSchema.nullable(),
    retention: RetentionSchema.nullable(),
    schemeInfo: SchemeSummarySchema,
    period: z.string().openapi({ example: '2025-10' }),
    evaluatedAt: z.string().openapi({ example: '2025-11-01T00:00:00.000Z' }),
    override: OverrideInfoSchema.nullable(),
    matrix: MatrixDefSchema.optional(),
    loweringTo: z.string().optional().openapi({
      description:
        'Staff only: the looser level a pending lowering request proposes while `level`, held, stays in force (docs/domain.md §4, "Lowering a sign-off level"); absent otherwise, and never sent to a customer',
    }),
    loweringBlocked: z.enum(APPROVAL_BLOCKS).nullable().optional().openapi({
      description:
        'Staff only, beside `loweringTo`, and only on the answer of `PUT /v1/subjects/{id}/metrics`: null when someone other than the request’s maker may approve it now; else why nobody can, as the approvals queue’s `approvalBlocked` says it — `no-other-approver` / `no-other-admin`, or `approvers-wrote-figures` when each person of the role it needs wrote or imported one of the values it rests on (this write included), which bars them as its maker is. It waits for someone who did not (docs/operations.md, "Four eyes and monthly loads").',
    }),
    because: CustomerDropSchema.optional().openapi({
      description:
        "Staff only, on a customer scheme's level the rules lowered at its latest move: why, in the criteria of the level lost (the customer's sentence, naming staff-only metrics' lines too); absent otherwise — after an override's expiry, a policy change (政策调整 to the customer) or on a staff scheme (a risk grade's ranks rise with the risk)",
    }),
  })
  .openapi('Assignment', { description: 'An assignment as staff read it (`audience: "staff"`): the whole record' });

const tiersBody = {
  subject: SubjectRefSchema,
  asOf: z
    .string()
    .nullable()
    .openapi({ description: 'Latest period of the levels shown (`YYYY-MM`); null when the subject has no level yet', example: '2025-10' }),
  metrics: z.array(MetricDefSchema).readonly(),
};

/**
 * Two shapes told apart by `audience`, as a history page is: a customer's assignments are
 * `CustomerAssignment`s (strict: an override's id or another staff field there breaks the schema).
 */
export const TiersResponseSchema = z
  .discriminatedUnion('audience', [
    z.object({
      ...tiersBody,
      audience: z.literal('customer').openapi({
        description: 'An embed token: the assignments are cut as a customer may read them (see "What a customer sees")',
      }),
      assignments: z.array(CustomerAssignmentSchema).readonly(),
    }),
    z.object({ ...tiersBody, audience: z.literal('staff'), assignments: z.array(AssignmentSchema).readonly() }),
  ])
  .openapi('TiersResponse');

const eventPeriod = z
  .string()
  .optional()
  .openapi({ description: 'The month whose data the event describes (`YYYY-MM`); `at` is when it was recorded', example: '2025-10' });

export const TierEventSchema = z
  .object({
    id: z.string(),
    scheme: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    at: z.string(),
    reason: z.enum(EVENT_REASONS),
    ruleId: z.string().nullable(),
    note: z.string().nullable(),
    actor: z.string(),
    approvedBy: z.string().nullable(),
    policyVersion: z.number().int(),
    period: eventPeriod,
    because: CustomerDropSchema.optional().openapi({
      description:
        "On a customer scheme's level the rules lowered (reason `rule` or `lowering-approved`): why, in the criteria of the level lost — the customer's sentence, naming staff-only metrics' lines too (`CustomerDrop`); never on a staff scheme's event",
    }),
  })
  .openapi('TierEvent', { description: 'An event as staff read it (`audience: "staff"`): the whole record' });

export const CustomerTierEventSchema = z
  .object({
    id: z.string(),
    scheme: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    at: z.string(),
    period: eventPeriod,
    reason: z.enum(CUSTOMER_EVENT_REASONS).optional().openapi({
      description:
        "Only `initial` (the first assessment) or `policy-change` (the bank changed its criteria); a rule's, an override's or its expiry's reason is absent",
    }),
    notice: LocalizedTextSchema.optional().openapi({
      description:
        'Instead of a reason, on a level a rule on a staff metric decided (a bad loan\'s 风险): "please contact your branch", as `/tiers` says of that level',
    }),
    because: CustomerDropSchema.optional().openapi({ description: 'On a level the rules lowered: why (`CustomerDrop`)' }),
  })
  .strict()
  .openapi('CustomerTierEvent', {
    description:
      'An event as a customer reads it (`audience: "customer"`, an embed token): when, which scheme, the move, the month it describes ' +
      "and, for a first assessment or a change of the bank's criteria, that reason. " +
      'Any other reason, the rule id, policy version, who made or approved the change and the note are how the bank runs its policies and its internal record: ' +
      'these fields are absent, not null',
  });

const historyPage = { subject: SubjectRefSchema, nextCursor: z.string().nullable() };

/**
 * Two shapes told apart by `audience`, so a client generated from the document reads a customer's items as
 * `CustomerTierEvent`s (strict: a staff field there breaks the schema) and staff's as `TierEvent`s.
 */
export const HistoryResponseSchema = z
  .discriminatedUnion('audience', [
    z.object({
      ...historyPage,
      audience: z.literal('customer').openapi({
        description: 'An embed token: the page is cut as a customer may read it (see "What a customer sees")',
      }),
      items: z.array(CustomerTierEventSchema).readonly(),
    }),
    z.object({ ...historyPage, audience: z.literal('staff'), items: z.array(TierEventSchema).readonly() }),
  ])
  .openapi('HistoryResponse');
