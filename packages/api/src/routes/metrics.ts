import { createRoute } from '@hono/zod-openapi';
import { listPolicyVersions } from '@tierkit/db';
import { packOf } from '../deps.js';
import { auditDetail } from '../middleware/audit.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import {
  AddMetricBody,
  AmendMetricBody,
  MetricAmendedOrRequested,
  MetricEntrySchema,
  MetricKeyParams,
  MetricListSchema,
} from '../schemas/metrics.js';
import { fileLowering, requestView } from '../services/metric-audience-requests.js';
import { addMetric, amendMetric, listMetricEntries, removeMetric } from '../services/metric-catalogue.js';
import { policyReadable, unreadablePolicies } from '../services/policy-readers.js';

const json = <S>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });
const entry = (description: string) => ({ description, content: { 'application/json': { schema: MetricEntrySchema } } });

const IN_USE =
  'A metric read by a scheme’s approved or submitted version keeps its unit, currency and kinds of subject, and cannot be removed (409 `metric_in_use`: `params.schemes` names the schemes whose policy the caller reads, `params.unreadable` counts the others, never named).';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['metrics'],
  summary: 'The tenant’s metric catalogue: what schemes, imports and metric writes may name',
  description:
    'Every metric; `usedBy` names only the schemes whose policy the caller may read (docs/permissions.md, "Who reads a scheme’s levels"): which metrics the AML grade reads is part of its policy.',
  responses: {
    200: { description: 'Every metric, in catalogue order', content: { 'application/json': { schema: MetricListSchema } } },
    ...problemResponses(),
  },
});

const addRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['metrics'],
  summary: 'Add a metric of the bank’s own (a corporate rating’s debt-to-equity ratio)',
  description:
    'A new key (409 `metric_exists` for one the catalogue has); money needs its `currency` (400 `required`). From the answer on, a scheme may read it, and imports and `PUT /v1/subjects/{id}/metrics` accept it (another server within a second).',
  request: { body: json(AddMetricBody) },
  responses: { 201: entry('The metric as stored'), ...problemResponses(400, 409, 413, 415) },
});

const putRoute = createRoute({
  method: 'put',
  path: '/{key}',
  tags: ['metrics'],
  summary: 'Amend a metric: its labels, unit, kinds of subject, whether the customer can move it, who it is kept from',
  description: `The whole entry but its key. ${IN_USE} A kind of subject taken away, or an audience raised, under a submitted version that would then no longer hold is a 409 \`metric_in_pending_version\` naming it if the caller reads its scheme's policy (\`params.unreadable\` counts those they may not). Lowering its audience (compliance → staff → customer) is four eyes: an admin asks with a \`reason\` (422 \`unprocessable\`, field code \`required\` on \`reason\`, when it is missing or blank; nothing filed), shown to the checker (202, the request, nothing changed yet; 403 \`governance_weakened\` under an admin; 409 \`audience_request_pending\` while one waits) and another tenant-wide admin decides at \`POST /v1/metric-audience-requests/{id}/approve\`; a default metric kept from customers (AML scores, PEP) cannot be lowered below the default (400 \`audience_fixed\`).`,
  request: { params: MetricKeyParams, body: json(AmendMetricBody) },
  responses: {
    200: entry('The metric as it now is'),
    202: {
      description: 'Its audience lowered: filed for a second admin, nothing changed yet',
      content: { 'application/json': { schema: MetricAmendedOrRequested } },
    },
    ...problemResponses(400, 403, 404, 409, 413, 415, 422),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/{key}',
  tags: ['metrics'],
  summary: 'Remove a metric no policy reads',
  description: `${IN_USE} Its stored values stay (a metric added back with the key reads them again).`,
  request: { params: MetricKeyParams },
  responses: { 200: entry('The metric removed'), ...problemResponses(400, 404, 409) },
});

/** `/v1/metrics`: the tenant's metric catalogue (docs/policy-format.md, "The metric catalogue"). */
export function metrics() {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      // The catalogue is the tenant's, but which metrics a grade reads is its policy: an analyst would
      // learn the AML grade's inputs from `usedBy`, though its versions are refused them.
      const hidden = unreadablePolicies(deps, await packOf(deps), await listPolicyVersions(deps.db, deps.tenantId));
      const items = (await listMetricEntries(deps)).map((m) => ({ ...m, usedBy: m.usedBy.filter((s) => !hidden.has(s)) }));
      return c.json({ items }, 200);
    })
    .openapi(addRoute, async (c) => {
      const added = await addMetric(c.var.deps, c.req.valid('json'));
      auditDetail(c, { metric: added.key, before: null, after: added });
      return c.json(added, 201);
    })
    .openapi(putRoute, async (c) => {
      const { key } = c.req.valid('param');
      const { reason, ...entry } = c.req.valid('json');
      const deps = c.var.deps;
      const done = await amendMetric(deps, { ...entry, key }, await policyReadable(deps), fileLowering(deps, reason));
      if ('request' in done) {
        const r = done.request;
        auditDetail(c, { metric: key, request: r.id, before: r.before, after: r.after, reason: r.reason });
        return c.json({ request: await requestView(deps, r) }, 202);
      }
      auditDetail(c, { metric: key, before: done.before, after: done.after, ...(reason ? { reason } : {}) });
      return c.json(done.after, 200);
    })
    .openapi(deleteRoute, async (c) => {
      const { key } = c.req.valid('param');
      const { before, entry: removed } = await removeMetric(c.var.deps, key, await policyReadable(c.var.deps));
      auditDetail(c, { metric: key, before, after: null });
      return c.json(removed, 200);
    });
}
