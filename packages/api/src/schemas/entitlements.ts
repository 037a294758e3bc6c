import { z } from '@hono/zod-openapi';
import { QUOTA_PERIODS } from '@tierkit/core';
import { LocalizedTextSchema, MatrixDefSchema, SchemeSummarySchema, SubjectRefSchema } from './common.js';
import { CustomerDropSchema, ExplanationSchema, ProgressSchema, RetentionSchema } from './tiers.js';

const base = { key: z.string(), label: LocalizedTextSchema };

export const EntitlementDefSchema = z
  .discriminatedUnion('kind', [
    z.object({ ...base, kind: z.literal('feature') }),
    z.object({
      ...base,
      kind: z.literal('quota'),
      amount: z.number().int(),
      period: z.enum(QUOTA_PERIODS),
      usageMetric: z.string().optional(),
    }),
    z.object({ ...base, kind: z.literal('rate'), bp: z.number().int(), applies: z.enum(['deposit', 'loan', 'fee']) }),
    z.object({ ...base, kind: z.literal('limit'), multiplierPermille: z.number().int(), applies: z.string() }),
    z.object({ ...base, kind: z.literal('restriction'), reason: LocalizedTextSchema, blocks: z.array(z.string()).readonly().optional() }),
  ])
  .openapi('EntitlementDef');

const LevelRefSchema = z.object({ scheme: z.string(), level: z.string() });

export const EntitlementsResponseSchema = z
  .object({
    subject: SubjectRefSchema,
    entitlements: z
      .array(
        z.object({
          def: EntitlementDefSchema,
          status: z.enum(['active', 'blocked']),
          grantedBy: LevelRefSchema,
          blockedBy: LevelRefSchema.extend({ restriction: z.string() }).optional(),
          used: z.number().optional(),
          usedThrough: z.string().optional().openapi({
            description:
              'With `used`: the last month of data counted (YYYY-MM, the subject’s latest evaluated month) — the quota period’s uses from its first month up to this one, which need not be the month under way',
            example: '2025-11',
          }),
          notice: LocalizedTextSchema.optional().openapi({
            description: 'Instead of `blockedBy` when the restriction is one the reader may not see: "please contact your branch"',
          }),
        }),
      )
      .readonly(),
    next: z
      .array(
        z.object({
          scheme: z.string(),
          toLevel: z.string(),
          adds: z.array(EntitlementDefSchema).readonly(),
          blockedBy: z
            .record(z.string(), LevelRefSchema.extend({ restriction: z.string() }))
            .optional()
            .openapi({
              description:
                'By entitlement key: an add a restriction held now would block (a customer gets none from a scheme they may not see)',
            }),
          notices: z.record(z.string(), LocalizedTextSchema).optional().openapi({
            description:
              'By entitlement key, for a customer whose blocking scheme says customerBlocks: notice: "please contact your branch". Otherwise such an add is left out',
          }),
        }),
      )
      .readonly(),
  })
  .openapi('EntitlementsResponse');

export const SchemesResponseSchema = z.object({ items: z.array(SchemeSummarySchema).readonly() }).openapi('SchemesResponse');

export const SchemeResponseSchema = SchemeSummarySchema.extend({
  matrix: MatrixDefSchema.optional(),
  entitlements: z.record(z.string(), z.array(EntitlementDefSchema).readonly()).optional().openapi({
    description: 'What each level grants, by level key (the scheme in force): a compare-tiers table. Absent when it grants nothing',
  }),
}).openapi('SchemeResponse');

export const MatrixResponseSchema = z
  .object({
    def: MatrixDefSchema,
    counts: z.array(z.object({ row: z.string(), col: z.string(), count: z.number().int() })).readonly(),
    total: z.number().int(),
  })
  .openapi('MatrixResponse');

const ListedSubjectSchema = SubjectRefSchema.extend({
  manager: z.string().nullable().optional().openapi({
    description: 'Staff credentials: the staff id of the relationship manager whose book the subject is in; null in none',
    example: 'RM002',
  }),
  level: z.string().nullable().optional().openapi({
    description: 'With `levelOf`: the subject’s current level key in that scheme; null when it has none',
    example: 'gold',
  }),
  standing: z
    .object({
      previousLevel: z.string().nullable().openapi({ description: 'The level shown before `period` was evaluated (null: none)' }),
      period: z.string().openapi({ description: 'The month (`YYYY-MM`) last evaluated' }),
      periodsBelow: z.number().int().openapi({ description: 'Periods in a row below the level’s line (grace periods used)' }),
      decidedBy: ExplanationSchema.shape.decidedBy,
      progress: ProgressSchema.nullable().openapi({ description: 'How far from the next level (null at the top)' }),
      retention: RetentionSchema.nullable().openapi({
        description: 'What keeps the level: its line and the grace periods (null at the bottom)',
      }),
      because: CustomerDropSchema.optional().openapi({
        description:
          "On a customer scheme's level the rules lowered at its latest move: why, in the criteria of the level lost (the customer's sentence, naming staff-only metrics' lines too); absent otherwise — after an override's expiry, a policy change or on a staff scheme",
      }),
    })
    .nullable()
    .optional()
    .openapi({
      description:
        'With `levelOf`: where the subject stands in that scheme, for call lists (read for the page’s subjects only); null when it has no level there',
    }),
}).openapi('ListedSubject');

export const SubjectListResponseSchema = z
  .object({ items: z.array(ListedSubjectSchema).readonly(), nextCursor: z.string().nullable() })
  .openapi('SubjectListResponse');
