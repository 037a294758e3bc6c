import { z } from '@hono/zod-openapi';
import { IMPORT_KINDS } from '../services/import/import-plan.js';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** A field error's param (core's `ProblemParam`): a scalar or a list of them. */
const ProblemParamSchema = z.union([Scalar, z.array(Scalar).readonly()]);

export const ImportErrorSchema = z
  .object({
    line: z.number().int().openapi({ description: 'The line the row ends on (1 is the header)' }),
    column: z.string().nullable().openapi({ description: 'The header of the offending column; null for the whole row' }),
    message: z.string(),
    code: z.string().optional().openapi({
      description:
        'Stable for programs, as the codes of other field errors (packages/api README, "Errors"): required, invalid_format, invalid_value, too_small, too_big, unknown_metric, month_not_begun, unknown_subject, unknown_staff, immutable, unsafe_text. Absent for an error stored before row errors had codes.',
      example: 'unknown_subject',
    }),
    params: z
      .record(z.string(), ProblemParamSchema)
      .optional()
      .openapi({ description: 'What the code’s words need', example: { subject: 'C000123' } }),
  })
  .openapi('ImportError');

export const ImportSchema = z
  .object({
    id: z.string(),
    kind: z.enum(IMPORT_KINDS),
    status: z.enum(['running', 'succeeded', 'partial', 'failed']).openapi({
      description: 'succeeded: every row imported; partial: the valid rows imported (mode valid-rows); failed: nothing imported',
    }),
    options: z.record(z.string(), z.unknown()),
    fileName: z.string().nullable(),
    sha256: z.string().nullable(),
    bytes: z.number().int(),
    rows: z.number().int().openapi({ description: 'Data rows read (the header not counted)' }),
    rejectedRows: z.number().int(),
    errorCount: z.number().int().openapi({ description: 'Errors found; the first 100,000 are kept' }),
    written: z.number().int().openapi({ description: 'Subjects, observations or manager assignments inserted or changed' }),
    unchanged: z
      .number()
      .int()
      .openapi({ description: 'Subjects, observations or manager assignments already stored with the same content' }),
    periods: z.array(z.string()).openapi({ description: 'Months whose metrics this import changed: the periods a re-tier should cover' }),
    retiered: z
      .array(
        z.object({
          period: z.string(),
          job: z.object({ id: z.string(), status: z.string() }),
          message: z.string().openapi({ example: '2026-11 was re-tiered before this import (job 01J…); a re-tier is needed: …' }),
        }),
      )
      .openapi({
        description:
          'Months this import changed whose whole-book re-tier (the month’s job, as GET /v1/jobs/schedule counts it) began before the import ended: it did not read the new data. Worked out in the import’s transaction and stored with it: GET /v1/imports/{id} says the same. The monthly schedule re-tiers such a month again once the data has settled (state `stale`) unless a later month was re-tiered since; then it asks an operator (state `needs-decision`, GET /v1/jobs/schedule). Empty for imports stored before this was kept.',
      }),
    detail: z.string().nullable(),
    createdBy: z.string(),
    createdByStaff: z.string().nullable().openapi({
      description: 'The staff member behind createdBy (their staff token, or a key they own); null for an unowned key, the CLI, the system',
    }),
    createdByKeyLabel: z
      .string()
      .nullable()
      .openapi({ description: 'When createdBy is an API key: its label (as the audit trail names it), never its secret; null otherwise' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Import');

export const ImportCreatedSchema = ImportSchema.openapi('ImportCreated');

export const ImportDetailSchema = ImportSchema.extend({
  errors: z.object({ items: z.array(ImportErrorSchema), nextCursor: z.string().nullable() }),
}).openapi('ImportDetail');

export const ImportListSchema = z.object({ items: z.array(ImportSchema), nextCursor: z.string().nullable() }).openapi('ImportList');

export const ImportPreviewSchema = z
  .object({
    kind: z.enum(IMPORT_KINDS),
    status: z.enum(['succeeded', 'partial', 'failed']).openapi({ description: 'How an import of the same file and options would end' }),
    bytes: z.number().int(),
    rows: z.number().int(),
    rejectedRows: z.number().int(),
    errorCount: z.number().int(),
    errors: z.array(ImportErrorSchema).openapi({ description: 'The first 1,000 row errors, in file order' }),
  })
  .openapi('ImportPreview');
