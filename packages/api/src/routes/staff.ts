import { createRoute, z } from '@hono/zod-openapi';
import { findStaff, listStaff, type StaffMember } from '@tierkit/db';
import { credentialsChanged } from '../auth/credential-cache.js';
import { type Role, STAFF_ROLES } from '../auth/roles.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { auditDetail } from '../middleware/audit.js';
import { ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { CursorQuery, LimitQuery } from '../schemas/params.js';
import { grantView, putOrRequestStaff, STAFF_GRANT_DAYS } from '../services/staff-grants.js';
import { PutStaffBody, type STAFF_SCOPES, StaffGrantSchema, StaffIdParams, StaffListSchema, StaffSchema } from '../schemas/staff.js';

/** A staff row as the API shows it. */
export function staffJson(s: StaffMember) {
  return {
    id: s.id,
    name: s.name,
    role: s.role as Role,
    scope: s.scope as (typeof STAFF_SCOPES)[number],
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    disabledAt: s.disabledAt,
  };
}

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['staff'],
  summary: 'List the tenant’s staff members in id order',
  request: {
    query: z.object({
      role: z
        .enum(STAFF_ROLES)
        .optional()
        .openapi({ param: { name: 'role', in: 'query' } }),
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: {
    200: { description: 'One page of staff', content: { 'application/json': { schema: StaffListSchema } } },
    ...problemResponses(400),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['staff'],
  summary: 'One staff member',
  request: { params: StaffIdParams },
  responses: {
    200: { description: 'The staff member', content: { 'application/json': { schema: StaffSchema } } },
    ...problemResponses(404),
  },
});

const putRoute = createRoute({
  method: 'put',
  path: '/{id}',
  tags: ['staff'],
  summary: 'Create or update a staff member: name, role and scope (admin); a grant of power waits for a second admin (202)',
  description:
    `A change that gives power — a role raised, a book widened to the tenant, a new (or disabled) member given access — unless it leaves them a viewer, analyst or officer within a book, changes nothing yet: it is filed as a grant (202, \`StaffGrant\`) that another tenant-wide admin approves (\`POST /v1/staff-grants/{id}/approve\`), never its maker nor the member it promotes, within ${STAFF_GRANT_DAYS} days; it sits in the approvals queue (\`kind: staff\`). One grant waits per member (409 \`staff-grant-pending\`). Anything else applies at once (200, 201): a viewer, analyst or officer within a book, a name, a lower role, a narrower scope. With no other admin to decide, the grant says \`approvalBlocked: no-other-admin\` and the operator's \`tierkit staff role\` (audited \`breakGlass: true\`) is the way out. ` +
    'A staff member’s tokens act with the role and scope stored here, read when a token is verified: a change applies to tokens already out (within the credential cache’s seconds in other processes). Taking a tenant-wide admin’s powers away (a lower role, or `scope: book`) is refused with a 409 `last-admin-staff`, changing nothing, when they are the tenant’s last tenant-wide admin on staff, or own its last admin key that administers it over HTTP (a key acts with the lower of its role and its owner’s). Two such changes at once cannot both succeed. Promote another admin first; with no other admin credential, an operator issues an admin key (`tierkit keys create --role admin`), promotes someone else with it, then demotes. Keeping one admin does not keep a second person: an admin-level request filed by the one admin left waits until another is promoted.',
  request: { params: StaffIdParams, body: { required: true, content: { 'application/json': { schema: PutStaffBody } } } },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: StaffSchema } } },
    201: { description: 'Created', content: { 'application/json': { schema: StaffSchema } } },
    202: {
      description: 'A grant of power, filed for a second admin: nothing changed yet',
      content: { 'application/json': { schema: StaffGrantSchema } },
    },
    ...problemResponses(400, 409, 413, 415),
  },
});

/** `/v1/staff`: who works the book. */
export function staff() {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      const query = c.req.valid('query');
      const after = query.cursor === undefined ? undefined : decodeCursor('staff', query.cursor, ['after'] as const).after;
      const rows = await listStaff(deps.db, deps.tenantId, {
        limit: query.limit + 1,
        ...(after !== undefined ? { afterId: after } : {}),
        ...(query.role !== undefined ? { role: query.role } : {}),
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return c.json(
        {
          items: page.map(staffJson),
          nextCursor: rows.length > query.limit && last ? encodeCursor('staff', { after: last.id }) : null,
        },
        200,
      );
    })
    .openapi(getRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const found = await findStaff(deps.db, deps.tenantId, id);
      if (!found) throw new ProblemError('not-found', `No staff member "${id}" in this tenant.`);
      return c.json(staffJson(found), 200);
    })
    .openapi(putRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      // A role or scope change is a grant of power: the reviewer needs what it was, not only what it is.
      // A disabled member given a role back is re-enabled (upsertStaff): `before` says they were disabled.
      const held = (s: Pick<StaffMember, 'name' | 'role' | 'scope'> & { readonly disabledAt?: string | null }) => ({
        name: s.name,
        role: s.role,
        scope: s.scope,
        ...(s.disabledAt ? { disabledAt: s.disabledAt } : {}),
      });
      // Told once the member is read under its lock: a refusal (409 `last-admin-staff`) is recorded with
      // who they were and what was asked, as a refused key revocation is with its key.
      const told = (before: StaffMember | undefined) => auditDetail(c, { before: before ? held(before) : null, after: held(body) });
      const put = await putOrRequestStaff(deps, { id, ...body }, told);
      if ('grant' in put) {
        // Nothing changed: the trail says so, and which grant now waits.
        auditDetail(c, { grant: put.grant.id, pending: true, expiresAt: put.grant.expiresAt });
        return c.json(await grantView(deps, put.grant), 202);
      }
      const result = put.applied;
      auditDetail(c, {
        before: result.before ? held(result.before) : null,
        after: held(result.staff),
        ...(put.supersededGrant ? { supersededGrant: put.supersededGrant } : {}),
        ...(put.supersededTeamGrants ? { supersededTeamGrants: put.supersededTeamGrants } : {}),
      });
      // Tokens of this person carry the old role in the credential cache: drop it at once, now that
      // upsertStaff has committed (told before, a verification in between would keep the old role).
      credentialsChanged();
      return result.created ? c.json(staffJson(result.staff), 201) : c.json(staffJson(result.staff), 200);
    });
}
