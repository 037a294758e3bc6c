import { createRoute } from '@hono/zod-openapi';
import { findStaff } from '@tierkit/db';
import { EMBEDDER_ONLY, refusal } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { SessionSchema } from '../schemas/staff.js';
import { staffJson } from './staff.js';
import { booksRead } from '../auth/principal.js';

const sessionRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['staff'],
  summary: 'Who the credential is: tenant, role, staff member, book, and what it may do',
  responses: {
    200: { description: 'The credential’s session', content: { 'application/json': { schema: SessionSchema } } },
    ...problemResponses(),
  },
});

/**
 * What a console may offer, read from the access table (never a second copy of it). The paths are
 * examples of each route; any id stands for all.
 */
function can(p: Principal) {
  const may = (method: string, path: string) => refusal(p, method, path, undefined) === undefined;
  return {
    readSubjects: may('GET', '/v1/subjects'),
    writeSubjects: may('PUT', '/v1/subjects/_/metrics'),
    assignManagers: may('POST', '/v1/subject-managers'),
    manageStaff: may('PUT', '/v1/staff/_'),
  };
}

/** `GET /v1/session`: the signed-in staff member (or key) as a console needs to know them. */
export function session() {
  return router().openapi(sessionRoute, async (c) => {
    const deps = c.var.deps;
    const p = deps.principal;
    // The route table refuses it already; said again so the session's role is always a staff role.
    if (p.role === 'embedder') throw new ProblemError('embedder-key', EMBEDDER_ONLY);
    const member = p.staffId === undefined ? undefined : await findStaff(deps.db, deps.tenantId, p.staffId);
    return c.json(
      {
        tenantId: p.tenantId,
        via: p.via,
        role: p.role,
        actor: p.actor,
        staff: member ? staffJson(member) : null,
        book: p.book ?? null,
        books: p.book === undefined ? null : [...(booksRead(p) ?? [])],
        timeZone: deps.timeZone,
        can: can(p),
      },
      200,
    );
  });
}
