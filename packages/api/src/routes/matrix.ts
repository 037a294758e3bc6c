import { createRoute, z } from '@hono/zod-openapi';
import type { MatrixResponse } from '@tierkit/core';
import { SUBJECT_KINDS } from '@tierkit/core';
import { packOf } from '../deps.js';
import { isNotModified } from '../etag.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { audienceOf, requireReadable } from '../services/audience.js';
import { problemResponses } from '../schemas/common.js';
import { MatrixResponseSchema } from '../schemas/entitlements.js';
import { ManagerQuery } from '../schemas/params.js';
import { bookOf } from '../services/books.js';
import { matrixCounts } from '../services/matrix-cells.js';
import { matrixKey } from '../services/matrix-cache.js';

const matrixRoute = createRoute({
  method: 'get',
  path: '/{scheme}',
  tags: ['matrix'],
  summary: 'Portfolio counts per cell of a matrix scheme (risk × value), from current assignments',
  request: {
    params: z.object({
      scheme: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'scheme', in: 'path' }, example: 'risk-value' }),
    }),
    query: z.object({
      kind: z
        .enum(SUBJECT_KINDS)
        .optional()
        .openapi({ param: { name: 'kind', in: 'query' } }),
      manager: ManagerQuery,
    }),
  },
  responses: {
    200: { description: 'Counts for every cell, zeros included (ETag)', content: { 'application/json': { schema: MatrixResponseSchema } } },
    304: { description: 'Not modified' },
    ...problemResponses(400, 404),
  },
});

/** `/v1/matrix/{scheme}`: one GROUP BY over the two axis schemes' assignments. */
export function matrix() {
  return router().openapi(matrixRoute, async (c) => {
    const deps = c.var.deps;
    const { scheme } = c.req.valid('param');
    const { kind, manager } = c.req.valid('query');
    const book = await bookOf(deps, manager);
    const tp = await packOf(deps);
    // Staff who may not read it are refused by name (403 `scheme_not_readable`): an axis they may not
    // read first, since a cell is a level of each axis; a customer's credential never sees it (404).
    const matrixOf = tp.schemes.get(scheme)?.matrix;
    for (const axis of matrixOf ? [matrixOf.rowScheme, matrixOf.colScheme] : []) requireReadable(deps.principal, tp, axis, 'scheme');
    requireReadable(deps.principal, tp, scheme, 'scheme');
    const def = audienceOf(deps.principal, tp).sees(scheme) ? matrixOf : undefined;
    if (!def) throw new ProblemError('scheme-not-found', `No matrix scheme "${scheme}" in this tenant.`);
    const found = await deps.matrices.get(deps.tenantId, matrixKey(scheme, kind, book), () =>
      matrixCounts(deps.db, deps.tenantId, def, kind, book),
    );
    const byCell = new Map(found.rows.map((f) => [`${f.row}\u0000${f.col}`, f.count]));
    const counts = def.rows.flatMap((row) => def.cols.map((col) => ({ row, col, count: byCell.get(`${row}\u0000${col}`) ?? 0 })));
    const body: MatrixResponse = { def, counts, total: counts.reduce((n, x) => n + x.count, 0) };
    if (isNotModified(c, body)) return c.body(null, 304);
    return c.json(body, 200);
  });
}
