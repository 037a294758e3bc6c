import { z } from '@hono/zod-openapi';
import { KEY_PATTERN, METRIC_UNITS, SUBJECT_KINDS } from '@tierkit/core';
import { METRIC_AUDIENCES } from '../services/metric-catalogue.js';
import { AllLocalesTextSchema } from './common.js';

/** Request and response schemas of `/v1/metrics`, the tenant's metric catalogue. */

const metricKey = z
  .string()
  .min(1)
  .max(64)
  .regex(KEY_PATTERN, 'letters, digits, "_", "-", "." only')
  .openapi({ example: 'debt_to_equity' });

export const MetricKeyParams = z.object({ key: metricKey.openapi({ param: { name: 'key', in: 'path' } }) });

const labelText = z.string().trim().min(1).max(200);

/** An entry as written: every field but `key` on an amendment, which names the metric in its path. */
const entryFields = {
  unit: z.enum(METRIC_UNITS).openapi({
    description:
      'How the integer value reads: money in minor units of `currency` (fen), count and days whole numbers, score points, boolean 0/1, bp basis points — a ratio too: 1.50 is 15000',
  }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code, three capitals')
    .optional()
    .openapi({ description: 'ISO 4217, for `money` only (and required there)', example: 'CNY' }),
  label: z.object({ 'zh-CN': labelText, 'zh-TW': labelText, en: labelText }).strict(),
  subjectKinds: z.array(z.enum(SUBJECT_KINDS)).min(1).optional().openapi({
    description: 'The kinds of subject it is measured on; only schemes of these kinds may read it. Absent: any kind',
  }),
  actionable: z.boolean().optional().openapi({ description: 'Whether the customer can move it by what they do. Absent = true' }),
  audience: z.enum(METRIC_AUDIENCES).openapi({
    description:
      '`customer`: any scheme may read it. `staff`: kept from customers (no customer scheme decides a level on it; a customer score weighs it under 50). `compliance`: an AML score or PEP status, not even a factor of a customer score. Lowering it needs an admin',
  }),
};

export const AddMetricBody = z
  .object({ key: metricKey, ...entryFields })
  .strict()
  .openapi('MetricInput');
export const AmendMetricBody = z
  .object({
    ...entryFields,
    // Trimmed and bounded as an override request's reason; its absence is the service's 422, since only
    // an amendment found to lower the audience is a request that needs one.
    reason: z.string().trim().max(1000).optional().openapi({
      description:
        'Why, when the audience is lowered: required then (422 when missing or blank), shown to the admin who decides and kept in the audit trail; else only recorded in the trail',
    }),
  })
  .strict()
  .openapi('MetricAmendment');

export const MetricEntrySchema = z
  .object({
    key: z.string(),
    unit: z.enum(METRIC_UNITS),
    currency: z.string().optional(),
    label: AllLocalesTextSchema,
    subjectKinds: z.array(z.enum(SUBJECT_KINDS)).readonly().optional(),
    actionable: z.boolean(),
    audience: z.enum(METRIC_AUDIENCES),
    builtIn: z.boolean().openapi({ description: 'A key of tierkit’s default catalogue' }),
    usedBy: z.array(z.string()).readonly().openapi({
      description: 'Schemes whose approved or submitted versions read it: its unit, currency and kinds stay, and it cannot be removed',
    }),
  })
  .openapi('MetricEntry');

export const MetricListSchema = z.object({ items: z.array(MetricEntrySchema).readonly() }).openapi('MetricList');

const catalogueEntry = z.object({
  key: z.string(),
  unit: z.enum(METRIC_UNITS),
  currency: z.string().optional(),
  label: AllLocalesTextSchema,
  subjectKinds: z.array(z.enum(SUBJECT_KINDS)).readonly().optional(),
  actionable: z.boolean(),
  audience: z.enum(METRIC_AUDIENCES),
});

/** A metric's audience lowered, waiting for (or decided by) a second admin. */
export const MetricAudienceRequestSchema = z
  .object({
    id: z.string(),
    metric: z.string(),
    from: z.enum(METRIC_AUDIENCES),
    to: z.enum(METRIC_AUDIENCES),
    before: catalogueEntry.openapi({
      description: 'The entry as the maker saw it: an approval applies only while the catalogue still holds it',
    }),
    after: catalogueEntry.openapi({ description: 'The entry asked for' }),
    status: z.enum(['pending', 'approved', 'rejected', 'withdrawn', 'expired']),
    contentHash: z.string().openapi({ description: 'What an approval sends back' }),
    requestedBy: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string().openapi({ description: 'A pending request lapses then (7 days)' }),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    reason: z.string().nullable().openapi({ description: 'Why its maker asked; null on a request filed before reasons were asked for' }),
    requestedByYou: z.boolean(),
    mayDecide: z.boolean().openapi({ description: 'The caller is a tenant-wide admin other than its maker, and it waits' }),
    mayWithdraw: z.boolean(),
  })
  .openapi('MetricAudienceRequest');

export const MetricAudienceRequestListSchema = z
  .object({ items: z.array(MetricAudienceRequestSchema).readonly() })
  .openapi('MetricAudienceRequestList');

export const MetricAudienceRequestIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^mar_[A-Za-z0-9_-]+$/, 'a request id, mar_…')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'mar_01JF3Q2K8Z0000' }),
});

export const MetricAmendedOrRequested = z.object({ request: MetricAudienceRequestSchema }).openapi('MetricAudienceRequested');
