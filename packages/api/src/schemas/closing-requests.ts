import { z } from '@hono/zod-openapi';
import { CLOSING_REQUEST_STATUSES } from '@tierkit/db';
import { SubjectIdParams } from './params.js';

/* A closing dated far back, waiting for a second person (services/closing-requests.ts). */

export const ClosingRequestSchema = z
  .object({
    id: z.string(),
    subject: z.string().openapi({ description: 'The customer’s number' }),
    subjectName: z.string().openapi({ description: 'Masked unless the caller may see names in full' }),
    at: z.string().openapi({ description: 'The date the closing gives, as asked (ISO 8601 UTC)' }),
    late: z.boolean().openapi({ description: 'Said to be learnt late (`late: true`)' }),
    reason: z.string(),
    status: z.enum(CLOSING_REQUEST_STATUSES).openapi({
      description:
        '`lapsed`: undecided 30 days after it was filed (`lapsesAt`); it can no longer be decided, holds no retention run, and the customer may be closed again',
    }),
    contentHash: z.string().openapi({ description: 'What an approval or rejection sends back' }),
    requestedBy: z.string(),
    requestedAt: z.string(),
    lapsesAt: z.string().openapi({ description: 'When it lapses if nobody decides it: 30 days after `requestedAt`' }),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    requestedByYou: z.boolean(),
    mayDecide: z.boolean().openapi({ description: 'The caller is a tenant-wide approver or admin other than its maker, and it waits' }),
    mayWithdraw: z.boolean(),
  })
  .openapi('ClosingRequest');

export const ClosingRequestIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^clr_[A-Za-z0-9_-]+$/, 'a closing request id, clr_…')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'clr_01JF3Q2K8Z0000' }),
});

/** `GET /v1/closing-requests?subject=`: one customer's requests. */
export const ClosingRequestsQuery = z.object({
  subject: SubjectIdParams.shape.id.openapi({ param: { name: 'subject', in: 'query' }, example: 'C000003' }),
});

export const ClosingRequestListSchema = z
  .object({
    items: z.array(ClosingRequestSchema).openapi({ description: 'The latest filed first, at most 20' }),
  })
  .openapi('ClosingRequestList');
