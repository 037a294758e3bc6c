import { createRoute } from '@hono/zod-openapi';
import { findTeam, listTeams, type Team } from '@tierkit/db';
import { credentialsChanged } from '../auth/credential-cache.js';
import { auditDetail } from '../middleware/audit.js';
import { ProblemError } from '../problem.js';
import { grantView } from '../services/staff-grants.js';
import { changeOrRequestTeamBooks, putOrRequestTeam } from '../services/team-grants.js';
import { teamHeld } from '../services/teams.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { StaffGrantSchema } from '../schemas/staff.js';
import { PutTeamBody, TeamBooksBody, TeamIdParams, TeamListSchema, TeamSchema } from '../schemas/teams.js';
import type { ApiDeps } from '../deps.js';

/*
 * Teams of books (packages/api/README.md, "Teams"): a set of relationship managers' books the bank
 * defines, which its lead reads besides their own. A tenant-wide admin's to define; what widens a
 * lead's reach waits for a second admin (202, a grant: services/team-grants.ts), the rest applies at
 * once. Every change is in the audit trail with what the team was and became, and reaches the lead's
 * credentials at once here (within the credential cache's seconds in other processes), as a staff change does.
 */

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['staff'],
  summary: 'The tenant’s teams of books, in id order (tenant-wide staff)',
  responses: {
    200: { description: 'Every team, with its books', content: { 'application/json': { schema: TeamListSchema } } },
    ...problemResponses(),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['staff'],
  summary: 'One team of books',
  request: { params: TeamIdParams },
  responses: {
    200: { description: 'The team', content: { 'application/json': { schema: TeamSchema } } },
    ...problemResponses(404),
  },
});

const putRoute = createRoute({
  method: 'put',
  path: '/{id}',
  tags: ['staff'],
  summary: 'Create a team, or rename it and change its lead (tenant-wide admin)',
  description:
    'The lead must be a working, book-scoped staff member of the tenant (400 `unknown_staff` for an id it does not have or a disabled member, `lead_not_book_scoped`: a tenant-wide member reads every book already). Their staff token and the keys they own then read the team’s books besides their own — lists, tiers, call lists, reviews due, the matrix and `GET /v1/books/levels` — and may do there what they may do in their own book; what a book-scoped credential may not do (access.ts), a lead may not do either.\n\nFour eyes on teams: naming a lead who is not the team’s lead already (a new team with a lead too) widens their reach, so it waits for a second tenant-wide admin — neither its maker nor the lead — as a grant (202, `/v1/staff-grants/{id}/approve`; 409 `staff-grant-pending` while another change of the team waits). A new team is made only when the grant is approved; an existing team’s rename, even sent with the lead, applies at once and stands whatever the approval; `lead: null` applies at once and supersedes a grant waiting on the team.',
  request: { params: TeamIdParams, body: { required: true, content: { 'application/json': { schema: PutTeamBody } } } },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: TeamSchema } } },
    201: { description: 'Created', content: { 'application/json': { schema: TeamSchema } } },
    202: {
      description: 'A lead named: filed as a grant for a second admin, nothing changed yet',
      content: { 'application/json': { schema: StaffGrantSchema } },
    },
    ...problemResponses(400, 409, 413, 415),
  },
});

const booksRoute = createRoute({
  method: 'post',
  path: '/{id}/books',
  tags: ['staff'],
  summary: 'Add books to a team and take books out of it (tenant-wide admin)',
  description:
    'A book is the staff id of the RM who holds it (400 `unknown_staff` for an id the tenant does not have; nothing changes). Adding a book already in the team, or taking out one not in it, changes nothing; the audit record names what did change (`added`, `removed`).\n\nFour eyes on teams: books added to a team that has a lead widen the lead’s reach, so they wait for a second tenant-wide admin as a grant (202; books taken out in the same request leave at once). Taking out a book a waiting grant would add supersedes that grant.',
  request: { params: TeamIdParams, body: { required: true, content: { 'application/json': { schema: TeamBooksBody } } } },
  responses: {
    200: { description: 'The team as it is now', content: { 'application/json': { schema: TeamSchema } } },
    202: {
      description: 'Books added to a led team: filed as a grant for a second admin',
      content: { 'application/json': { schema: StaffGrantSchema } },
    },
    ...problemResponses(400, 404, 409, 413, 415),
  },
});

export function teamJson(t: Team) {
  return { id: t.id, name: t.name, lead: t.lead, books: [...t.books], createdAt: t.createdAt, updatedAt: t.updatedAt };
}

async function teamOr404(deps: ApiDeps, id: string): Promise<Team> {
  const team = await findTeam(deps.db, deps.tenantId, id);
  if (!team) throw new ProblemError('not-found', `No team "${id}" in this tenant.`);
  return team;
}

/** `/v1/teams`: teams of books and their leads. */
export function teams() {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      return c.json({ items: (await listTeams(deps.db, deps.tenantId)).map(teamJson) }, 200);
    })
    .openapi(getRoute, async (c) => c.json(teamJson(await teamOr404(c.var.deps, c.req.valid('param').id)), 200))
    .openapi(putRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const put = await putOrRequestTeam(deps, id, body);
      if ('grant' in put) {
        // The lead waits (a rename sent with it applied at once): the trail says which grant waits.
        auditDetail(c, {
          grant: put.grant.id,
          pending: true,
          expiresAt: put.grant.expiresAt,
          team: put.grant.team,
          ...(put.renamed ? { renamed: put.renamed } : {}),
        });
        return c.json(await grantView(deps, put.grant), 202);
      }
      const { before, after, created } = put.applied;
      auditDetail(c, {
        before: teamHeld(before),
        after: teamHeld(after),
        ...(put.supersededGrant ? { supersededGrant: put.supersededGrant } : {}),
      });
      credentialsChanged();
      return created ? c.json(teamJson(after), 201) : c.json(teamJson(after), 200);
    })
    .openapi(booksRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const done = await changeOrRequestTeamBooks(deps, id, c.req.valid('json'));
      const superseded = done.supersededGrant ? { supersededGrant: done.supersededGrant } : {};
      if ('grant' in done) {
        auditDetail(c, {
          grant: done.grant.id,
          pending: true,
          expiresAt: done.grant.expiresAt,
          team: done.grant.team,
          removed: done.removed,
          ...superseded,
        });
        if (done.removed.length > 0) credentialsChanged();
        return c.json(await grantView(deps, done.grant), 202);
      }
      const { added, removed, after } = done.applied;
      auditDetail(c, { added, removed, after: teamHeld(after), ...superseded });
      credentialsChanged();
      return c.json(teamJson(after), 200);
    });
}
