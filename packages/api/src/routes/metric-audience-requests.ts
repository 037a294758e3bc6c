import { createRoute, z } from '@hono/zod-openapi';
import { listMetricAudienceRequests, type MetricAudienceRequest } from '@tierkit/db';
import { auditDetail } from '../middleware/audit.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { DecisionBody, OptionalNoteBody, RejectBody } from '../schemas/four-eyes.js';
import { MetricAudienceRequestIdParams, MetricAudienceRequestListSchema, MetricAudienceRequestSchema } from '../schemas/metrics.js';
import { decideAudienceRequest, requestView, withdrawAudienceRequest } from '../services/metric-audience-requests.js';
import { policyReadable } from '../services/policy-readers.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ body: { required: true, ...json(schema) } });

const FOUR_EYES =
  'Four eyes on who sees a metric (docs/policy-format.md, "The metric catalogue"): a tenant-wide admin other than the request’s maker (by person: none of their credentials).';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['metrics'],
  summary: 'Requests to lower a metric’s audience, newest first: those waiting (`status=pending`, the default), or all (admin)',
  request: {
    query: z.object({
      status: z
        .enum(['pending', 'all'])
        .default('pending')
        .openapi({ param: { name: 'status', in: 'query' } }),
    }),
  },
  responses: { 200: { description: 'At most 200 requests', ...json(MetricAudienceRequestListSchema) }, ...problemResponses(400) },
});

const action = <S extends typeof DecisionBody | typeof RejectBody | typeof OptionalNoteBody>(
  name: 'approve' | 'reject' | 'withdraw',
  summary: string,
  schema: S,
) =>
  createRoute({
    method: 'post',
    path: `/{id}/${name}`,
    tags: ['metrics'],
    summary,
    description: name === 'withdraw' ? 'Only its maker, while it waits or after it lapsed.' : FOUR_EYES,
    request: { params: MetricAudienceRequestIdParams, ...body(schema) },
    responses: {
      200: { description: 'Done', ...json(MetricAudienceRequestSchema) },
      ...problemResponses(400, 403, 404, 409, 413, 415, 422),
    },
  });

const approveRoute = action(
  'approve',
  'Approve a metric’s audience lowered: the catalogue takes it at once (409 content-changed if the entry changed since it was asked)',
  DecisionBody,
);
const rejectRoute = action('reject', 'Reject a metric’s audience lowered, with a note', RejectBody);
const withdrawRoute = action('withdraw', 'Take back a request to lower a metric’s audience (its maker)', OptionalNoteBody);

/** The trail's words for a request: the metric, before → after, and who asked. */
function told(c: Parameters<typeof auditDetail>[0], r: MetricAudienceRequest) {
  auditDetail(c, { request: r.id, metric: r.metric, before: r.before, after: r.after, requestedBy: r.requestedBy, reason: r.reason });
}

/** `/v1/metric-audience-requests`: a metric's audience lowered, waiting for a second admin. */
export function metricAudienceRequests() {
  return router()
    .openapi(listRoute, async (c) => {
      const q = c.req.valid('query');
      const rows = await listMetricAudienceRequests(c.var.deps.db, c.var.deps.tenantId, {
        limit: 200,
        ...(q.status === 'pending' ? { status: 'pending' as const } : {}),
      });
      return c.json({ items: await Promise.all(rows.map((r) => requestView(c.var.deps, r))) }, 200);
    })
    .openapi(approveRoute, async (c) => {
      const b = c.req.valid('json');
      const done = await decideAudienceRequest(
        c.var.deps,
        c.req.valid('param').id,
        { action: 'approve', ...b },
        await policyReadable(c.var.deps),
        (r) => told(c, r),
      );
      auditDetail(c, { status: done.request.status, ...(b.note ? { note: b.note } : {}) });
      return c.json(await requestView(c.var.deps, done.request), 200);
    })
    .openapi(rejectRoute, async (c) => {
      const b = c.req.valid('json');
      const done = await decideAudienceRequest(
        c.var.deps,
        c.req.valid('param').id,
        { action: 'reject', ...b },
        await policyReadable(c.var.deps),
        (r) => told(c, r),
      );
      auditDetail(c, { status: done.request.status, note: b.note });
      return c.json(await requestView(c.var.deps, done.request), 200);
    })
    .openapi(withdrawRoute, async (c) => {
      const note = c.req.valid('json').note;
      const r = await withdrawAudienceRequest(c.var.deps, c.req.valid('param').id, note, (r) => told(c, r));
      auditDetail(c, { status: r.status, ...(note ? { note } : {}) });
      return c.json(await requestView(c.var.deps, r), 200);
    });
}
