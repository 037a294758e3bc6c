import { createRoute, z } from '@hono/zod-openapi';
import type { HistoryResponse } from '@tierkit/core';
import { listTierEvents } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, subjectOr404 } from '../deps.js';
import { ProblemError } from '../problem.js';
import { audienceOf } from '../services/audience.js';
import { isNotModified } from '../etag.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { EntitlementsResponseSchema } from '../schemas/entitlements.js';
import { CursorQuery, LimitQuery, SubjectIdParams } from '../schemas/params.js';
import { HistoryResponseSchema, TiersResponseSchema } from '../schemas/tiers.js';
import { entitlementsView } from '../services/entitlements.js';
import { subjectRef, tiersView } from '../services/views.js';

const notModified = { 304: { description: 'Not modified: the If-None-Match ETag is current' } } as const;

const tiersRoute = createRoute({
  method: 'get',
  path: '/{id}/tiers',
  tags: ['subjects'],
  summary: "A subject's current level in every scheme, with explanation and progress",
  request: { params: SubjectIdParams },
  responses: {
    200: { description: 'Current tiers (ETag)', content: { 'application/json': { schema: TiersResponseSchema } } },
    ...notModified,
    ...problemResponses(400, 404),
  },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/{id}/history',
  tags: ['subjects'],
  summary: "A subject's tier events, newest first, cursor-paginated",
  request: {
    params: SubjectIdParams,
    query: z.object({
      scheme: z.string().min(1).max(64).optional().openapi({ param: { name: 'scheme', in: 'query' }, example: 'retail-tier' }),
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: {
    200: { description: 'One page of history (ETag)', content: { 'application/json': { schema: HistoryResponseSchema } } },
    ...notModified,
    ...problemResponses(400, 404),
  },
});

const entitlementsRoute = createRoute({
  method: 'get',
  path: '/{id}/entitlements',
  tags: ['subjects'],
  summary: 'What the subject’s levels entitle, what restricts them, and what the next levels add',
  request: { params: SubjectIdParams },
  responses: {
    200: { description: 'Resolved entitlements (ETag)', content: { 'application/json': { schema: EntitlementsResponseSchema } } },
    ...notModified,
    ...problemResponses(400, 404),
  },
});

/** Reads of one subject: tiers, history, entitlements. All carry ETags. */
export function subjectReads() {
  return router()
    .openapi(tiersRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const subject = await subjectOr404(deps, id);
      const tp = await packOf(deps);
      const body = await tiersView(deps.db, tp, audienceOf(deps.principal, tp), subject, deps.unmaskNames, deps.now());
      if (isNotModified(c, body)) return c.body(null, 304);
      return c.json(body, 200);
    })
    .openapi(historyRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { scheme, limit, cursor } = c.req.valid('query');
      const subject = await subjectOr404(deps, id);
      const audience = audienceOf(deps.principal, await packOf(deps));
      // A scheme the reader may not see answers exactly like one that does not exist.
      if (scheme && audience.audience !== 'staff' && !audience.sees(scheme)) {
        throw new ProblemError('scheme-not-found', `No scheme "${scheme}" in this tenant.`);
      }
      const before = cursor === undefined ? undefined : decodeCursor('history', cursor, ['at', 'id'] as const);
      const rows = await listTierEvents(deps.db, deps.tenantId, subject.id, {
        ...(scheme ? { scheme } : {}),
        ...(audience.audience === 'staff' ? {} : { schemes: audience.schemes.map((s) => s.key) }),
        limit: limit + 1,
        ...(before ? { before } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const body: HistoryResponse = {
        subject: subjectRef(subject, deps.unmaskNames),
        items: items.map(audience.event),
        nextCursor: rows.length > limit && last ? encodeCursor('history', { at: last.at, id: last.id }) : null,
      };
      if (isNotModified(c, body)) return c.body(null, 304);
      return c.json(body, 200);
    })
    .openapi(entitlementsRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const subject = await subjectOr404(deps, id);
      const tp = await packOf(deps);
      const body = await entitlementsView(deps.db, tp, audienceOf(deps.principal, tp), subject, deps.unmaskNames);
      if (isNotModified(c, body)) return c.body(null, 304);
      return c.json(body, 200);
    });
}
