import { createRoute, z } from '@hono/zod-openapi';
import { findStaffGrant, listStaffGrants, type StaffGrant } from '@tierkit/db';
import { credentialsChanged } from '../auth/credential-cache.js';
import { auditDetail, auditTarget } from '../middleware/audit.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { DecisionBody, OptionalNoteBody, RejectBody } from '../schemas/four-eyes.js';
import { BankId, StaffGrantIdParams, StaffGrantListSchema, StaffGrantSchema } from '../schemas/staff.js';
import { decideStaffGrant, grantChange, grantView, withdrawStaffGrant } from '../services/staff-grants.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ body: { required: true, ...json(schema) } });

const FOUR_EYES =
  'Four eyes on staff powers (packages/api/README.md, "Staff and books"): a tenant-wide admin other than the grant’s maker (by person: none of their credentials) and other than the member it gives power to.';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['staff'],
  summary: 'Grants of staff power, newest first: those waiting (`status=pending`, the default), or all (admin)',
  request: {
    query: z.object({
      status: z
        .enum(['pending', 'all'])
        .default('pending')
        .openapi({ param: { name: 'status', in: 'query' } }),
      staff: BankId.optional().openapi({ param: { name: 'staff', in: 'query' }, description: 'One staff member’s grants' }),
    }),
  },
  responses: {
    200: { description: 'At most 200 grants', ...json(StaffGrantListSchema) },
    ...problemResponses(400),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['staff'],
  summary: 'One grant of staff power (admin)',
  request: { params: StaffGrantIdParams },
  responses: { 200: { description: 'The grant', ...json(StaffGrantSchema) }, ...problemResponses(404) },
});

const action = <S extends typeof DecisionBody | typeof RejectBody | typeof OptionalNoteBody>(
  name: 'approve' | 'reject' | 'withdraw',
  summary: string,
  schema: S,
) =>
  createRoute({
    method: 'post',
    path: `/{id}/${name}`,
    tags: ['staff'],
    summary,
    description: name === 'withdraw' ? 'Only its maker, while it waits or after it lapsed.' : FOUR_EYES,
    request: { params: StaffGrantIdParams, ...body(schema) },
    responses: { 200: { description: 'Done', ...json(StaffGrantSchema) }, ...problemResponses(400, 404, 409, 413, 415) },
  });

const approveRoute = action(
  'approve',
  'Approve a grant of staff power: the member holds it at once (409 content-changed if they no longer hold what they held when it was asked)',
  DecisionBody,
);
const rejectRoute = action('reject', 'Reject a grant of staff power, with a note', RejectBody);
const withdrawRoute = action('withdraw', 'Take back a grant of staff power (its maker)', OptionalNoteBody);

/** The trail's words for a grant: who, from → to, and how it stands. */
function told(c: Parameters<typeof auditDetail>[0], g: StaffGrant) {
  auditTarget(c, g.team ? { staff: g.staffId, team: g.team.id } : { staff: g.staffId });
  auditDetail(c, {
    grant: g.id,
    ...grantChange(g),
    ...(g.team ? { team: g.team } : {}),
    expiresAt: g.expiresAt,
    requestedBy: g.requestedBy,
  });
}

/** `/v1/staff-grants`: grants of staff power waiting for a second admin. */
export function staffGrants() {
  return router()
    .openapi(listRoute, async (c) => {
      const q = c.req.valid('query');
      const rows = await listStaffGrants(c.var.deps.db, c.var.deps.tenantId, {
        limit: 200,
        ...(q.status === 'pending' ? { status: 'pending' as const } : {}),
        ...(q.staff !== undefined ? { staffId: q.staff } : {}),
      });
      return c.json({ items: await Promise.all(rows.map((g) => grantView(c.var.deps, g))) }, 200);
    })
    .openapi(getRoute, async (c) => {
      const g = await findStaffGrant(c.var.deps.db, c.var.deps.tenantId, c.req.valid('param').id);
      if (!g) throw new ProblemError('not-found', `No staff grant "${c.req.valid('param').id}" in this tenant.`);
      return c.json(await grantView(c.var.deps, g), 200);
    })
    .openapi(approveRoute, async (c) => {
      const b = c.req.valid('json');
      const done = await decideStaffGrant(c.var.deps, c.req.valid('param').id, { action: 'approve', ...b }, (g) => told(c, g));
      auditDetail(c, { status: done.grant.status, ...(b.note ? { note: b.note } : {}) });
      // The member's tokens carry their old role in the credential cache: drop it now it has committed.
      credentialsChanged();
      return c.json(await grantView(c.var.deps, done.grant), 200);
    })
    .openapi(rejectRoute, async (c) => {
      const b = c.req.valid('json');
      const done = await decideStaffGrant(c.var.deps, c.req.valid('param').id, { action: 'reject', ...b }, (g) => told(c, g));
      auditDetail(c, { status: done.grant.status, note: b.note });
      return c.json(await grantView(c.var.deps, done.grant), 200);
    })
    .openapi(withdrawRoute, async (c) => {
      const note = c.req.valid('json').note;
      const g = await withdrawStaffGrant(c.var.deps, c.req.valid('param').id, note, (g) => told(c, g));
      auditDetail(c, { status: g.status, ...(note ? { note } : {}) });
      return c.json(await grantView(c.var.deps, g), 200);
    });
}
