import { createRoute, z } from '@hono/zod-openapi';
import { existingStaffIds, findApiKey, pageApiKeys, type ApiKey } from '@tierkit/db';
import { apiKeyInfo, createApiKey, KeyOwnerRefused } from '../auth/api-keys.js';
import { AUDITOR, FOUR_EYES_ROLES, KEY_ROLES, ROLES, type KeyRole, type Role } from '../auth/roles.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import { auditDetail } from '../middleware/audit.js';
import { invalid, ProblemError } from '../problem.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import { keyAuditDetail } from '../services/audit.js';
import { revokeOverHttp } from '../services/key-revocation.js';
import { ApiKeyListSchema, ApiKeySchema, CreatedKeySchema, CreateKeyBody, type KEY_STATES, KeyIdParams } from '../schemas/keys.js';
import { CursorQuery, LimitQuery } from '../schemas/params.js';

const CLI_HINT = 'to issue one for someone else, or one nobody owns, an operator runs `tierkit keys create --staff ID`';

/**
 * Four eyes tells people apart by who holds a credential: an owned key counts as its owner, an unowned
 * one as a person of its own. But whoever issues a key holds its secret, so a key issued over HTTP in
 * another's name (or in nobody's) would let its issuer file with one credential and decide with the
 * other. A key that can file or decide is therefore issued only to the caller themselves; a caller who
 * is no staff member (an unowned admin key) issues only keys below that line.
 */
function refuseUnlessOwnKey(role: Role, staff: string | undefined, self: string | undefined): void {
  const why = `an ${role} key files or decides four-eyes requests, so over HTTP it is issued only to the caller themselves, who holds its secret`;
  if (self === undefined) {
    throw invalid([
      {
        path: 'role',
        message: `${why}; this credential is no staff member's, so it may issue ${ROLES.filter((r) => !FOUR_EYES_ROLES.includes(r)).join(' or ')} keys only (${CLI_HINT})`,
        code: 'invalid_value',
        params: { values: ROLES.filter((r) => !FOUR_EYES_ROLES.includes(r)) },
      },
      { path: 'staff', message: `${why}: sign in as the staff member who will hold it`, code: 'invalid_value', params: { values: [] } },
    ]);
  }
  if (staff !== self) {
    throw invalid([
      {
        path: 'staff',
        message: `${why}: it must be "${self}" (your own)${staff === undefined ? '' : `, not "${staff}"`}; ${CLI_HINT}`,
        code: staff === undefined ? 'required' : 'invalid_value',
        params: { values: [self] },
      },
    ]);
  }
}

/** The 400 of a key refused for its owner: unknown here, or of a lower role than the key's. */
function ownerProblem(e: KeyOwnerRefused): ProblemError {
  return e.reason === 'unknown-staff'
    ? invalid([
        { path: 'staff', message: `no staff member "${e.staffId}" in this tenant`, code: 'unknown_staff', params: { staff: e.staffId } },
      ])
    : invalid([
        {
          path: 'role',
          message: `staff member "${e.staffId}" has the ${e.ownerRole} role; their key may have ${e.allowed.join(', ') || 'no role'}`,
          code: 'invalid_value',
          params: { values: e.allowed },
        },
      ]);
}

/** A key as the API shows it: never its secret or hash, and not its tenant (always the caller's). */
function keyJson(key: Omit<ApiKey, 'secretHash' | 'tenantId'>, ownersOnStaff: ReadonlySet<string>) {
  const state: (typeof KEY_STATES)[number] =
    key.revokedAt !== null ? 'revoked' : key.staffId !== null && !ownersOnStaff.has(key.staffId) ? 'owner-gone' : 'active';
  return {
    id: key.id,
    role: key.role as KeyRole,
    label: key.label,
    prefix: key.prefix,
    staff: key.staffId,
    state,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
  };
}

async function ownersOnStaff(deps: ApiDeps, keys: readonly ApiKey[]): Promise<Set<string>> {
  return existingStaffIds(
    deps.db,
    deps.tenantId,
    keys.flatMap((k) => (k.staffId === null ? [] : [k.staffId])),
  );
}

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['keys'],
  summary: 'List the tenant’s API keys, oldest first, revoked ones included (admin)',
  description: 'Never a secret or its hash: the `prefix` tells keys apart.',
  request: { query: z.object({ limit: LimitQuery, cursor: CursorQuery }) },
  responses: {
    200: { description: 'One page of keys', content: { 'application/json': { schema: ApiKeyListSchema } } },
    ...problemResponses(400),
  },
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['keys'],
  summary: 'Create an API key; its secret is in this answer and nowhere else (admin)',
  description:
    'The answer carries the secret once: only its hash is stored, and no read, audit record or log shows it. An officer, approver or admin key files or decides four-eyes requests, and its issuer holds its secret, so it is issued only in the caller’s own name: `staff` must be the caller’s staff id (400 otherwise; a caller of no staff member issues viewer and analyst keys only; the CLI issues keys for others). An owned key’s role may not be above its owner’s. No `Idempotency-Key`: a replay would have to store the secret (400); a create retried after a lost answer may make a second key, which the list shows and revoke ends.',
  request: { body: { required: true, content: { 'application/json': { schema: CreateKeyBody } } } },
  responses: {
    201: { description: 'The key and its secret (shown once)', content: { 'application/json': { schema: CreatedKeySchema } } },
    ...problemResponses(400, 413, 415),
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/{id}/revoke',
  tags: ['keys'],
  summary: 'Revoke an API key at once (admin); revoking a revoked key changes nothing',
  description:
    'This server refuses the key from the next request; another server process of the same database within its credential cache’s seconds (5 by default). A key of another tenant is the 404 of an unknown one. Revoking again answers 200 with the first revocation’s `revokedAt`. Refused with a 409, changing nothing: the tenant’s last admin key that can administer it over HTTP (`last-admin-key`: unowned, or owned by a tenant-wide admin still on staff; issue another first, or revoke it with `tierkit keys revoke` on the server), and the key the request is authenticated with (`own-key`: revoke it with another credential).',
  request: { params: KeyIdParams },
  responses: {
    200: { description: 'The key, revoked', content: { 'application/json': { schema: ApiKeySchema } } },
    ...problemResponses(400, 404, 409),
  },
});

/** `/v1/keys`: a tenant's admins issue, list and revoke its API keys. */
export function keys() {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      const query = c.req.valid('query');
      const after = query.cursor === undefined ? undefined : decodeCursor('keys', query.cursor, ['createdAt', 'id'] as const);
      const rows = await pageApiKeys(deps.db, deps.tenantId, { limit: query.limit + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, query.limit);
      const owners = await ownersOnStaff(deps, page);
      const last = page.at(-1);
      return c.json(
        {
          items: page.map((k) => keyJson(k, owners)),
          nextCursor: rows.length > query.limit && last ? encodeCursor('keys', { createdAt: last.createdAt, id: last.id }) : null,
        },
        200,
      );
    })
    .openapi(createKeyRoute, async (c) => {
      const deps = c.var.deps;
      const body = c.req.valid('json');
      // What was asked, kept even when refused, in the shape of the key's own record (`keyAuditDetail`,
      // as the CLI writes it); never the secret, which exists only in the answer below.
      auditDetail(c, { role: body.role, owner: body.staff ?? null, label: body.label });
      if (body.role === 'embedder' && body.staff !== undefined)
        throw invalid([
          {
            path: 'staff',
            message: 'an embedder key is the portal backend’s and acts for nobody: leave `staff` out',
            code: 'invalid_value',
            params: { values: [] },
          },
        ]);
      // Internal audit's key in an admin's hands would act as the auditor of that admin's own decisions:
      // the operator's CLI issues it, to the auditor on staff (`tierkit keys create --role auditor --staff ID`).
      if (body.role === AUDITOR)
        throw invalid([
          {
            path: 'role',
            message: `an auditor key is internal audit’s own and its issuer would hold its secret, so it is never issued by those it audits over HTTP: ${CLI_HINT} (with --role auditor), or sign in with the auditor’s staff token`,
            code: 'invalid_value',
            params: { values: KEY_ROLES.filter((r) => r !== AUDITOR) },
          },
        ]);
      if (body.role !== 'embedder' && FOUR_EYES_ROLES.includes(body.role))
        refuseUnlessOwnKey(body.role, body.staff, deps.principal.staffId);
      const { key, secret } = await createApiKey(deps.db, {
        tenantId: deps.tenantId,
        role: body.role,
        label: body.label,
        ...(body.staff !== undefined ? { staffId: body.staff } : {}),
        now: deps.now(),
      }).catch((e: unknown) => {
        // The library checks the owner (the one place it is checked), as it is when the key is written:
        // one deleted or demoted since the caller looked is their input's fault, not a 500.
        if (e instanceof KeyOwnerRefused) throw ownerProblem(e);
        throw e;
      });
      auditDetail(c, keyAuditDetail(key));
      const owners = new Set(key.staffId === null ? [] : [key.staffId]);
      return c.json({ key: keyJson(key, owners), secret }, 201);
    })
    .openapi(revokeRoute, async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid('param');
      const found = await findApiKey(deps.db, deps.tenantId, id);
      // Another tenant's key is the same 404 as none: which ids exist elsewhere is not this tenant's business.
      if (!found) throw new ProblemError('not-found', `No API key "${id}" in this tenant.`);
      auditDetail(c, keyAuditDetail(apiKeyInfo(found)));
      // A refusal (409) is recorded by the audit trail as every refused write is, with this key's detail.
      if (found.revokedAt !== null || !(await revokeOverHttp(deps.db, deps.principal, found, deps.now()))) {
        auditDetail(c, { alreadyRevoked: true });
      }
      const now = (await findApiKey(deps.db, deps.tenantId, id)) ?? found;
      return c.json(keyJson(now, await ownersOnStaff(deps, [now])), 200);
    });
}
