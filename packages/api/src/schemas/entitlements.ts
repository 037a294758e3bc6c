import { z } from '@hono/zod-openapi';
import { QUOTA_PERIODS } from '@tierkit/core';
import { LocalizedTextSchema, MatrixDefSchema, SchemeSummarySchema, SubjectRefSchema } from './common.js';

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
          notice: LocalizedTextSchema.optional().openapi({
            description: 'Instead of `blockedBy` when the restriction is one the reader may not see: "please contact your branch"',
          }),
        }),
      )
      .readonly(),
    next: z.array(z.object({ scheme: z.string(), toLevel: z.string(), adds: z.array(EntitlementDefSchema).readonly() })).readonly(),
  })
  .openapi('EntitlementsResponse');

export const SchemesResponseSchema = z.object({ items: z.array(SchemeSummarySchema).readonly() }).openapi('SchemesResponse');

export const SchemeResponseSchema = SchemeSummarySchema.extend({ matrix: MatrixDefSchema.optional() }).openapi('SchemeResponse');

export const MatrixResponseSchema = z
  .object({
    def: MatrixDefSchema,
    counts: z.array(z.object({ row: z.string(), col: z.string(), count: z.number().int() })).readonly(),
    total: z.number().int(),
  })
  .openapi('MatrixResponse');

const ListedSubjectSchema = SubjectRefSchema.extend({
  level: z.string().nullable().optional().openapi({
    description: 'With `levelOf`: the subject’s current level key in that scheme; null when it has none',
    example: 'gold',
  }),
}).openapi('ListedSubject');

export const SubjectListResponseSchema = z
  .object({ items: z.array(ListedSubjectSchema).readonly(), nextCursor: z.string().nullable() })
  .openapi('SubjectListResponse');
