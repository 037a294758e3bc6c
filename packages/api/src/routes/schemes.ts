import { createRoute, z } from '@hono/zod-openapi';
import type { SchemeResponse, SchemesResponse } from '@tierkit/core';
import { SUBJECT_KINDS } from '@tierkit/core';
import { packOf } from '../deps.js';
import { isNotModified } from '../etag.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { SchemeResponseSchema, SchemesResponseSchema } from '../schemas/entitlements.js';
import { audienceOf, requireReadable } from '../services/audience.js';
import { schemeSummary } from '../services/views.js';

const SchemeKeyParams = z.object({
  key: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'key', in: 'path' }, example: 'retail-tier' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['schemes'],
  summary: "The tenant's schemes with their levels, names and colours",
  request: {
    query: z.object({
      kind: z
        .enum(SUBJECT_KINDS)
        .optional()
        .openapi({ param: { name: 'kind', in: 'query' } }),
    }),
  },
  responses: {
    200: { description: 'Schemes (ETag)', content: { 'application/json': { schema: SchemesResponseSchema } } },
    304: { description: 'Not modified' },
    ...problemResponses(400),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{key}',
  tags: ['schemes'],
  summary: 'One scheme: levels, names, colours, what each level grants, and the grid of a matrix scheme',
  request: { params: SchemeKeyParams },
  responses: {
    200: { description: 'The scheme (ETag)', content: { 'application/json': { schema: SchemeResponseSchema } } },
    304: { description: 'Not modified' },
    ...problemResponses(404),
  },
});

/** `/v1/schemes`: what a widget needs to label levels, of the schemes the reader may see; never the rules themselves. */
export function schemes() {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      const { kind } = c.req.valid('query');
      const tp = await packOf(deps);
      const visible = audienceOf(deps.principal, tp).schemes;
      const body: SchemesResponse = { items: visible.filter((s) => !kind || s.subjectKind === kind).map(schemeSummary) };
      if (isNotModified(c, body)) return c.body(null, 304);
      return c.json(body, 200);
    })
    .openapi(getRoute, async (c) => {
      const deps = c.var.deps;
      const { key } = c.req.valid('param');
      const tp = await packOf(deps);
      requireReadable(deps.principal, tp, key, 'key');
      // The reader's own definition: a customer's has no override rule in it.
      const def = audienceOf(deps.principal, tp).schemes.find((s) => s.key === key);
      if (!def) throw new ProblemError('scheme-not-found', `No scheme "${key}" in this tenant.`);
      // What each level grants, for a compare-tiers table: a portal could not draw one from levels alone.
      const grants = def.entitlements && Object.keys(def.entitlements).length ? { entitlements: def.entitlements } : {};
      const body: SchemeResponse = { ...schemeSummary(def), ...(def.matrix ? { matrix: def.matrix } : {}), ...grants };
      if (isNotModified(c, body)) return c.body(null, 304);
      return c.json(body, 200);
    });
}
