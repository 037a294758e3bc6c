import { createRoute, z } from '@hono/zod-openapi';
import type { BookMovesResponse } from '@tierkit/core';
import { assignManagers, bookMoves, existingStaffIds, findSubjectsByExternalIds, managersOf } from '@tierkit/db';
import { subjectOr404 } from '../deps.js';
import type { ApiDeps } from '../deps.js';
import { auditMoves, moveAudit } from '../services/books.js';
import { invalid, type FieldError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { LimitQuery, SubjectIdParams } from '../schemas/params.js';
import { BookMovesSchema, BulkManagersBody, BulkManagersSchema, ManagerBody, ManagerSchema } from '../schemas/staff.js';

const putManagerRoute = createRoute({
  method: 'put',
  path: '/{id}/manager',
  tags: ['staff'],
  summary: 'Put a subject in a staff member’s book (or, with null, in none)',
  request: { params: SubjectIdParams, body: { required: true, content: { 'application/json': { schema: ManagerBody } } } },
  responses: {
    200: { description: 'The subject’s manager now', content: { 'application/json': { schema: ManagerSchema } } },
    ...problemResponses(400, 404, 413, 415),
  },
});

const getManagerRoute = createRoute({
  method: 'get',
  path: '/{id}/manager',
  tags: ['staff'],
  summary: 'Whose book a subject is in (null: nobody’s)',
  request: { params: SubjectIdParams },
  responses: {
    200: { description: 'The subject’s manager', content: { 'application/json': { schema: ManagerSchema } } },
    ...problemResponses(400, 404),
  },
});

const movesRoute = createRoute({
  method: 'get',
  path: '/{id}/manager/moves',
  tags: ['staff'],
  summary: 'Whose books a subject has been in: its moves between books, newest first',
  description:
    'Every move made by `PUT …/manager`, `POST /v1/subject-managers` or a managers import is kept, with who made it. Moves before the release that began keeping them are not known: the assignment found then is one move with `recorded: false`.',
  request: { params: SubjectIdParams, query: z.object({ limit: LimitQuery }) },
  responses: {
    200: { description: 'The subject’s moves', content: { 'application/json': { schema: BookMovesSchema } } },
    ...problemResponses(400, 404),
  },
});

const bulkRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['staff'],
  summary: 'Reassign many subjects at once: all or nothing',
  description:
    'Every subject and every staff member must exist, and no staff member be disabled; otherwise a 400 names each bad entry (`assignments[3].manager`) and nothing changes.',
  request: { body: { required: true, content: { 'application/json': { schema: BulkManagersBody } } } },
  responses: {
    200: { description: 'How many subjects were assigned', content: { 'application/json': { schema: BulkManagersSchema } } },
    ...problemResponses(400, 413, 415),
  },
});

async function staffMustExist(deps: ApiDeps, managers: readonly (string | null)[], path: (i: number) => string): Promise<void> {
  const asked = managers.filter((m): m is string => m !== null);
  // A disabled member (someone who left) holds no new customers: their book is emptied, not filled.
  const working = await existingStaffIds(deps.db, deps.tenantId, asked, { working: true });
  const existing = asked.some((m) => !working.has(m)) ? await existingStaffIds(deps.db, deps.tenantId, asked) : working;
  const errors: FieldError[] = [];
  managers.forEach((m, i) => {
    if (m !== null && !working.has(m))
      errors.push({
        path: path(i),
        message: existing.has(m)
          ? `staff member "${m}" is disabled: their book takes no customers`
          : `no staff member "${m}" in this tenant`,
        code: 'unknown_staff',
        params: { staff: m },
      });
  });
  if (errors.length) throw invalid(errors);
}

/** `GET|PUT /v1/subjects/{id}/manager`: whose book one subject is in, and moving it to another. */
export function subjectManager() {
  return router()
    .openapi(getManagerRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const subject = await subjectOr404(deps, id);
      const manager = (await managersOf(deps.db, deps.tenantId, [subject.id])).get(subject.id) ?? null;
      return c.json({ subject: id, manager }, 200);
    })
    .openapi(movesRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      const subject = await subjectOr404(deps, id);
      const body = { subject: id, moves: await bookMoves(deps.db, deps.tenantId, subject.id, limit) } satisfies BookMovesResponse;
      return c.json(body, 200);
    })
    .openapi(putManagerRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const { manager } = c.req.valid('json');
      const subject = await subjectOr404(deps, id);
      await staffMustExist(deps, [manager], () => 'manager');
      const clock = () => deps.now().toISOString();
      await deps.db.transaction().execute(async (trx) => {
        const moves = await assignManagers(trx, deps.tenantId, [{ subjectId: subject.id, staffId: manager }], deps.principal.actor, clock);
        await auditMoves(trx, moveAudit(c), moves, () => id);
      });
      deps.matrices.invalidate(deps.tenantId);
      return c.json({ subject: id, manager }, 200);
    });
}

/** `POST /v1/subject-managers`: the bulk form, for a branch reorganisation or the bank's nightly feed. */
export function subjectManagers() {
  return router().openapi(bulkRoute, async (c) => {
    const deps = c.var.deps;
    const { assignments } = c.req.valid('json');
    const subjects = await findSubjectsByExternalIds(
      deps.db,
      deps.tenantId,
      assignments.map((a) => a.subject),
    );
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    assignments.forEach((a, i) => {
      if (!subjects.has(a.subject))
        errors.push({
          path: `assignments[${i}].subject`,
          message: `no subject "${a.subject}" in this tenant`,
          code: 'unknown_subject',
          params: { subject: a.subject },
        });
      // Erased after its retention period: a book would link the blank customer to a manager again.
      else if (subjects.get(a.subject)?.erasedAt)
        errors.push({
          path: `assignments[${i}].subject`,
          message: `"${a.subject}" was erased after its retention period; it is in no book`,
          code: 'erased',
          params: { subject: a.subject },
        });
      else if (seen.has(a.subject))
        errors.push({
          path: `assignments[${i}].subject`,
          message: `"${a.subject}" is listed twice`,
          code: 'duplicate',
          params: { subject: a.subject },
        });
      seen.add(a.subject);
    });
    if (errors.length) throw invalid(errors);
    await staffMustExist(
      deps,
      assignments.map((a) => a.manager),
      (i) => `assignments[${i}].manager`,
    );
    const rows = assignments.map((a) => ({ subjectId: subjects.get(a.subject)?.id ?? '', staffId: a.manager }));
    const externalIds = new Map([...subjects.values()].map((s) => [s.id, s.externalId]));
    const clock = () => deps.now().toISOString();
    await deps.db.transaction().execute(async (trx) => {
      const moves = await assignManagers(trx, deps.tenantId, rows, deps.principal.actor, clock);
      await auditMoves(trx, moveAudit(c), moves, (s) => externalIds.get(s) ?? s);
    });
    deps.matrices.invalidate(deps.tenantId);
    return c.json({ assigned: rows.length }, 200);
  });
}
