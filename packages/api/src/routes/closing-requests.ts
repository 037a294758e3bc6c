import { createRoute } from '@hono/zod-openapi';
import type { ClosingRequest } from '@tierkit/db';
import { auditDetail, auditTarget } from '../middleware/audit.js';
import { router } from '../router.js';
import {
  ClosingRequestIdParams,
  ClosingRequestListSchema,
  ClosingRequestSchema,
  ClosingRequestsQuery,
} from '../schemas/closing-requests.js';
import { problemResponses } from '../schemas/common.js';
import { DecisionBody, OptionalNoteBody, RejectBody } from '../schemas/four-eyes.js';
import { closingRequestsOf, closingRequestView, decideClosingRequest, withdrawClosingRequest } from '../services/closing-requests.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

const FOUR_EYES =
  'Four eyes on a closing dated more than three months back (docs/operations.md, "Retention and erasure"): a tenant-wide approver or admin other than the request’s maker (by person: none of their credentials).';

const action = <S extends typeof DecisionBody | typeof RejectBody | typeof OptionalNoteBody>(
  name: 'approve' | 'reject' | 'withdraw',
  summary: string,
  description: string,
  schema: S,
) =>
  createRoute({
    method: 'post',
    path: `/{id}/${name}`,
    tags: ['subjects'],
    summary,
    description,
    request: { params: ClosingRequestIdParams, body: { required: true, ...json(schema) } },
    responses: {
      200: { description: 'Done', ...json(ClosingRequestSchema) },
      ...problemResponses(400, 403, 404, 409, 413, 415, 422),
    },
  });

const approveRoute = action(
  'approve',
  'Approve a closing dated far back: the customer is closed with the date asked',
  `${FOUR_EYES} The closing's checks run again now, as for a closing of today: a date before the customer's activity recorded since (422 \`left_before_activity\`), past the retention period (422 \`left_beyond_retention\`) or into a month made final since without \`late\` (400 \`too_small\`) refuses it and changes nothing (the request stays pending, to be rejected); a customer closed meanwhile is a 409 \`subject_closed\`. Its pending override requests and sign-offs are withdrawn as any closing's are.`,
  DecisionBody,
);
const rejectRoute = action('reject', 'Reject a closing dated far back, with a note: the customer stays open', FOUR_EYES, RejectBody);
const withdrawRoute = action(
  'withdraw',
  'Take back a closing request (its maker)',
  'Only its maker (any credential of theirs), while it waits.',
  OptionalNoteBody,
);

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['subjects'],
  summary: 'A customer’s closing requests, the latest first: what became of a closing dated far back',
  description:
    'Each with its status as of now — `pending`, `approved`, `rejected` (with the checker’s `decisionNote`), `withdrawn`, or `lapsed`: undecided 30 days after it was filed (`lapsesAt`), no longer in the approvals queue nor decidable (409 `lapsed`). Tenant-wide officers see the requests they filed; tenant-wide approvers and admins, and internal audit, every one. A customer with none (or none the caller sees): an empty list.',
  request: { query: ClosingRequestsQuery },
  responses: {
    200: { description: 'The requests', ...json(ClosingRequestListSchema) },
    ...problemResponses(400, 403),
  },
});

/** The trail's words for a request: whom (split off with the record's personal fields), the date and why. */
function told(c: Parameters<typeof auditDetail>[0], r: ClosingRequest) {
  auditTarget(c, { subject: r.externalId });
  auditDetail(c, { request: r.id, at: r.at, late: r.late, requestedBy: r.requestedBy, reason: r.reason });
}

/** `/v1/closing-requests`: closings dated far back, waiting for a second person. */
export function closingRequests() {
  return router()
    .openapi(listRoute, async (c) => {
      const items = await closingRequestsOf(c.var.deps, c.req.valid('query').subject);
      return c.json({ items: await Promise.all(items.map((r) => closingRequestView(c.var.deps, r))) }, 200);
    })
    .openapi(approveRoute, async (c) => {
      const b = c.req.valid('json');
      const done = await decideClosingRequest(c.var.deps, c.req.valid('param').id, { action: 'approve', ...b }, (r) => told(c, r));
      const closed = done.closing;
      auditDetail(c, {
        status: done.request.status,
        ...(b.note ? { note: b.note } : {}),
        ...(closed
          ? {
              closedAt: closed.closedAt,
              ...(closed.leftAt !== null ? { leftAt: closed.leftAt } : {}),
              ...(closed.withdrawn.overrides.length ? { withdrawnOverrides: closed.withdrawn.overrides } : {}),
              ...(closed.withdrawn.signOffs.length ? { withdrawnSignOffs: closed.withdrawn.signOffs } : {}),
            }
          : {}),
      });
      c.var.deps.matrices.invalidate(c.var.deps.tenantId);
      return c.json(await closingRequestView(c.var.deps, done.request), 200);
    })
    .openapi(rejectRoute, async (c) => {
      const b = c.req.valid('json');
      const done = await decideClosingRequest(c.var.deps, c.req.valid('param').id, { action: 'reject', ...b }, (r) => told(c, r));
      auditDetail(c, { status: done.request.status, note: b.note });
      return c.json(await closingRequestView(c.var.deps, done.request), 200);
    })
    .openapi(withdrawRoute, async (c) => {
      const note = c.req.valid('json').note;
      const r = await withdrawClosingRequest(c.var.deps, c.req.valid('param').id, note, (r) => told(c, r));
      auditDetail(c, { status: r.status, ...(note ? { note } : {}) });
      return c.json(await closingRequestView(c.var.deps, r), 200);
    });
}
