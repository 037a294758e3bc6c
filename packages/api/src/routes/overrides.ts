import { createRoute, z } from '@hono/zod-openapi';
import { startOfDay } from '@tierkit/core';
import { staffBehind } from '../services/staff-behind.js';
import { listOverrides, OVERRIDE_STATUSES } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { auditDetail, auditTarget } from '../middleware/audit.js';
import { invalid } from '../problem.js';
import { personOfActor } from '../auth/api-keys.js';
import { requestedByCaller } from '../services/four-eyes.js';
import { audienceOf, requireReadable, unreadableSchemes } from '../services/audience.js';
import { recordRestrictedItems } from '../services/restricted-reads.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import {
  DecisionBody,
  NoteBody,
  OptionalNoteBody,
  OverrideEditBody,
  OverrideListSchema,
  OverrideRequestBody,
  OverrideSchema,
  OverrideWithDecisionsSchema,
  RejectBody,
} from '../schemas/four-eyes.js';
import { bankDay, CursorQuery, LimitQuery, SubjectIdParams } from '../schemas/params.js';
import {
  decideOverride,
  editOverride,
  callerOf,
  overrideView,
  overrideWithDecisions,
  type OverrideView,
  requestOverride,
  revokeOverride,
  withdrawOverride,
} from '../services/override-requests.js';
import { withApprovers } from '../services/approvals-queue.js';
import { booksRead } from '../auth/principal.js';

const OverrideIdParams = z.object({
  overrideId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_", "-" only')
    .openapi({ param: { name: 'overrideId', in: 'path' }, example: 'ovr_0mh3k2x1a0000a1b2c3d4e5f6' }),
});

const ListQuery = z.object({
  status: z
    .enum([...OVERRIDE_STATUSES, 'expired'])
    .optional()
    .openapi({ param: { name: 'status', in: 'query' }, description: '`approved` = in force now; `expired` = approved, past its expiry' }),
  scheme: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ param: { name: 'scheme', in: 'query' } }),
  requestedBy: z
    .enum(['me'])
    .optional()
    .openapi({
      param: { name: 'requestedBy', in: 'query' },
      description:
        '`me`: only the caller’s own requests, by person as four eyes counts them (their staff token’s and those of every API key they own; an unowned key’s own). Cut in SQL within what the caller may read: a book-scoped credential still sees its book only.',
    }),
  sort: z
    .enum(['expiresAt'])
    .optional()
    .openapi({
      param: { name: 'sort', in: 'query' },
      description:
        '`expiresAt`: soonest expiry first (ties by id; those with none last) instead of newest first — the overrides expiring soon in the order they lapse. The cursor pages in the same order.',
    }),
  limit: LimitQuery,
  cursor: CursorQuery,
});

/** The tenant's list also finds what ends soon: an RM's month starts with the overrides about to lapse. */
const TenantListQuery = ListQuery.extend({
  expiresBefore: bankDay(
    'expiresBefore',
    'Only overrides in force now whose expiry falls before this day begins in the bank’s zone (`TIERKIT_TIME_ZONE`): those expiring soon. With `status`, only `approved`.',
  ).optional(),
});

// The scheme's override rule (`overrides` in `GET /v1/schemes`), said once for each step it bounds.
const RULE_ON_FILING =
  'The scheme’s override rule in force decides who may file and for how long: a 403 `forbidden` naming `overrides.requestedBy` when the caller may not (a relationship manager, for a scheme only tenant-wide staff may request; anyone, under `none`), a 400 on `expiresAt` (code `expiry_required` or `expiry_too_late`) when `overrides.maxDays` needs an earlier expiry. Nothing is filed or changed.';
const RULE_ON_APPROVAL =
  'The scheme’s override rule in force now (not when the request was filed) decides: a 403 `forbidden` naming `overrides.approvedBy` when the caller’s role is below it, or `overrides.loosenNeeds` when the override can hold the subject on the looser side of the grade (a `fixed` level other than the first of `overrides.order`; a `floor` above a stricter lower-ranked level), whatever the rules give today, or when approving it ends an override in force (the newest approved decides) and leaves a looser level than before (checked once the rules have re-run in this step, and rolled back when refused); a 422 `unprocessable` when the rule no longer takes the request’s filer (a relationship manager’s request once `overrides.requestedBy` is `tenant`) or its expiry is past what `overrides.maxDays` allows. Nothing is approved, and the request stays pending. ';
const RULE_ON_REVOCATION =
  'When the scheme’s override rule has `loosenNeeds` and the level the subject falls to (its rules’ grade, re-evaluated in this step) is looser than the one the override held, only that role may revoke: otherwise a 403 `forbidden` naming `overrides.loosenNeeds`, and nothing is revoked. Besides a revocation, an override’s effect ends when a newer one of the scheme is approved (checked at that approval) or when it expires (not checked: its end was approved with it).';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ body: { required: true, ...json(schema) } });

const requestRoute = createRoute({
  method: 'post',
  path: '/subjects/{id}/overrides',
  tags: ['four eyes'],
  summary: 'Request a manual level (pending until another person approves it)',
  description:
    'Officer or above. The answer carries the `contentHash` an approval must send back. Nothing changes for the subject until a second person approves. At most one request per subject and scheme is pending: while one is, another is a 409 `conflict` naming it and saying what the caller may do about it (edit or withdraw it, withdraw it, or ask its requester). A customer who left the bank is a 409 `conflict`, code `subject_closed`, also when the closing commits while the request is being filed: nothing is filed. ' +
    RULE_ON_FILING,
  request: { params: SubjectIdParams, ...body(OverrideRequestBody) },
  responses: { 201: { description: 'Pending', ...json(OverrideSchema) }, ...problemResponses(400, 404, 409, 413, 415) },
});

const subjectListRoute = createRoute({
  method: 'get',
  path: '/subjects/{id}/overrides',
  tags: ['four eyes'],
  summary: 'A subject’s override requests, newest first (or soonest expiry first: `sort=expiresAt`)',
  // The same filters as the tenant's list: `expiresBefore` read here as there, never dropped unread.
  request: { params: SubjectIdParams, query: TenantListQuery },
  responses: { 200: { description: 'One page', ...json(OverrideListSchema) }, ...problemResponses(400, 404) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/overrides',
  tags: ['four eyes'],
  summary:
    'Override requests of the tenant, newest first or soonest expiry first (`sort=expiresAt`; a book-scoped credential: of its book’s customers only)',
  request: { query: TenantListQuery },
  responses: { 200: { description: 'One page', ...json(OverrideListSchema) }, ...problemResponses(400) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/overrides/{overrideId}',
  tags: ['four eyes'],
  summary: 'One override request and every decision on it',
  request: { params: OverrideIdParams },
  responses: { 200: { description: 'The override', ...json(OverrideWithDecisionsSchema) }, ...problemResponses(400, 404) },
});

// A closing withdraws its customer's pending requests; a step on one answers why there is nothing to do,
// once the caller is known to be allowed the step (so a refusal tells nobody else the customer left).
const closedCustomer =
  'A request its customer\'s closing withdrew (status `withdrawn`, note "customer closed") is a 409 `conflict`, code `subject_closed` — after the checks of who may act on it (a 404 or 403 as for any request), and never for a request decided or withdrawn before the closing, which answers as it would for a current customer. Its params carry `closedAt`, and `leftAt` for a closing learnt late (the message then names when the customer really left).';
const editRoute = createRoute({
  method: 'patch',
  path: '/overrides/{overrideId}',
  tags: ['four eyes'],
  summary: 'Edit a pending request (its requester only; `mayEdit`): its contentHash changes, so an approval of the old content fails',
  description: `${RULE_ON_FILING} ${closedCustomer}`,
  request: { params: OverrideIdParams, ...body(OverrideEditBody) },
  responses: { 200: { description: 'Edited, still pending', ...json(OverrideSchema) }, ...problemResponses(400, 404, 409, 413, 415) },
});

const action = <S extends typeof DecisionBody | typeof RejectBody | typeof NoteBody | typeof OptionalNoteBody>(
  name: 'approve' | 'reject' | 'revoke' | 'withdraw',
  summary: string,
  schema: S,
  description?: string,
) =>
  createRoute({
    method: 'post',
    path: `/overrides/{overrideId}/${name}`,
    tags: ['four eyes'],
    summary,
    ...(description ? { description } : {}),
    request: { params: OverrideIdParams, ...body(schema) },
    responses: { 200: { description: 'Done', ...json(OverrideSchema) }, ...problemResponses(400, 404, 409, 413, 415, 422) },
  });

/** Who of book-scoped staff decides (docs/permissions.md, the team lead approver column). */
const IN_REACH =
  'A book-scoped approver (a team lead) decides the requests of the customers in their reach (their book and their teams’): any other, or one whose customer moved out of it while it waited, is a 404 as for a request that does not exist. ';

const approveRoute = action(
  'approve',
  'Approve a pending request (another person, with the role the scheme’s override rule asks for); it takes effect at once',
  DecisionBody,
  RULE_ON_APPROVAL + IN_REACH + closedCustomer,
);
const rejectRoute = action(
  'reject',
  'Reject a pending request (approver, not the requester), with a note',
  RejectBody,
  IN_REACH + closedCustomer,
);
const revokeRoute = action(
  'revoke',
  'End an approved override (approver; the scheme’s `loosenNeeds` role when its end loosens the grade), with a note; the rules decide again from now',
  NoteBody,
  RULE_ON_REVOCATION,
);
const withdrawRoute = action(
  'withdraw',
  'Take back a pending request (its requester; for a request a relationship manager filed, also the RM whose book the customer is in; `mayWithdraw`)',
  OptionalNoteBody,
  closedCustomer,
);

async function page(deps: ApiDeps, q: z.infer<typeof TenantListQuery>, subjectId?: string) {
  const now = deps.now().toISOString();
  if (q.expiresBefore !== undefined && q.status !== undefined && q.status !== 'approved')
    throw invalid([
      {
        path: 'query.status',
        message: 'overrides expiring soon are those in force: status approved, or none',
        code: 'conflicts',
        params: { field: 'query.expiresBefore' },
      },
    ]);
  const [y = 0, m = 1, d = 1] = q.expiresBefore?.split('-').map(Number) ?? [];
  const expiresBefore = q.expiresBefore === undefined ? undefined : startOfDay({ year: y, month: m, day: d }, deps.timeZone).toISOString();
  const byExpiry = q.sort === 'expiresAt';
  const before = q.cursor === undefined || byExpiry ? undefined : decodeCursor('overrides', q.cursor, ['createdAt', 'id']);
  // A cursor of the expiry order is of its own kind: one of the newest-first order is refused there, and back.
  const at = q.cursor === undefined || !byExpiry ? undefined : decodeCursor('overrides-by-expiry', q.cursor, ['expiresAt', 'id']);
  // No expiry is '' in the cursor (it holds strings only).
  const after = at === undefined ? undefined : { expiresAt: at.expiresAt === '' ? null : at.expiresAt, id: at.id };
  // A relationship manager lists their book's requests only, cut in SQL: another book's never reach
  // the page, its cursor or the unknown-scheme check below (not even as a count).
  const book = booksRead(deps.principal);
  const inBook = book !== undefined ? { managedBy: book } : {};
  const mineOnly = q.requestedBy === 'me' ? { requestedBy: await personOfActor(deps.db, deps.tenantId, deps.principal.actor) } : {};
  // A request names the grade it would hold and why (an AML 高, "可疑交易"): the grade's readers' only,
  // refused by name and cut in SQL otherwise, so neither a page nor its cursor tells of one.
  const tp = await packOf(deps);
  if (q.scheme !== undefined) requireReadable(deps.principal, tp, q.scheme, 'query.scheme');
  const notSchemes = unreadableSchemes(deps.principal, tp);
  const rows = await listOverrides(deps.db, deps.tenantId, {
    now,
    limit: q.limit + 1,
    ...(notSchemes.length > 0 ? { notSchemes } : {}),
    ...inBook,
    ...mineOnly,
    ...(subjectId !== undefined ? { subjectId } : {}),
    ...(q.scheme !== undefined ? { scheme: q.scheme } : {}),
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(expiresBefore !== undefined ? { expiresBefore } : {}),
    ...(before ? { before } : {}),
    ...(byExpiry ? { order: 'expiresAt' as const } : {}),
    ...(after ? { after } : {}),
  });
  const items = rows.slice(0, q.limit);
  // A mistyped scheme must not read as "no overrides": refuse a scheme that is neither in force nor
  // named by any override (one of a retired scheme is still listed).
  if (items.length === 0 && q.scheme !== undefined && !tp.schemes.has(q.scheme)) {
    const named = await listOverrides(deps.db, deps.tenantId, { now, limit: 1, scheme: q.scheme, ...inBook });
    if (named.length === 0)
      throw invalid([
        { path: 'query.scheme', message: `unknown scheme "${q.scheme}"`, code: 'unknown_scheme', params: { scheme: q.scheme } },
      ]);
  }
  const last = items.at(-1);
  const mine = requestedByCaller(deps.db, deps.tenantId, deps.principal.actor);
  const behind = await staffBehind(
    deps.db,
    deps.tenantId,
    items.flatMap((r) => [r.override.requestedBy, r.decidedBy]),
  );
  return {
    items: await Promise.all(
      items.map(async (r) => overrideView(r, now, callerOf(deps, r, now, await mine([r.override.requestedBy])), deps.unmaskNames, behind)),
    ),
    nextCursor:
      rows.length > q.limit && last
        ? byExpiry
          ? encodeCursor('overrides-by-expiry', { expiresAt: last.override.expiresAt ?? '', id: last.override.id })
          : encodeCursor('overrides', { createdAt: last.createdAt, id: last.override.id })
        : null,
  };
}

/**
 * What the trail keeps of a step on an override: which one, whose, what it sets and for how long, and
 * the note given (undefined: the step takes none). The path names only the override's id, which a
 * reviewer searching by customer does not know.
 */
function decided(o: OverrideView, note: string | null | undefined) {
  return {
    override: o.id,
    subject: o.subject,
    scheme: o.scheme,
    level: o.level,
    mode: o.mode,
    expiresAt: o.expiresAt,
    // What the filer said it rests on: the trail keeps it with every step, as the checker saw it.
    ...(o.reasonCategory !== undefined ? { reasonCategory: o.reasonCategory } : {}),
    ...(o.evidence !== undefined ? { evidence: o.evidence } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}

/**
 * Tell the trail about a decision on `o` (its detail, and its customer as a target); `o` back. A checker's
 * approval or rejection also names the content it was shown (`contentHash`), as a sign-off's does: the
 * request's hash changes with every edit, so only this says which version of the request was decided.
 */
function told(c: Parameters<typeof auditDetail>[0], o: OverrideView, note: string | null, contentHash?: string): OverrideView {
  auditDetail(c, { ...decided(o, note), ...(contentHash !== undefined ? { contentHash } : {}) });
  auditTarget(c, { subject: o.subject });
  return o;
}

/** `read` back, once a read of a restricted grade's requests in it is recorded (docs/domain.md §4, "Who reads a grade"). */
async function readOf<T extends { readonly items: readonly OverrideView[] }>(
  c: Parameters<typeof auditDetail>[0] & { var: { deps: ApiDeps } },
  read: T,
): Promise<T> {
  recordRestrictedItems(c, audienceOf(c.var.deps.principal, await packOf(c.var.deps)), read.items);
  return read;
}

/** Overrides over HTTP: request, edit, withdraw, approve, reject, revoke, and the lists. */
export function overrideRoutes() {
  return router()
    .openapi(requestRoute, async (c) => {
      const filed = await withApprovers(c.var.deps, await requestOverride(c.var.deps, c.req.valid('param').id, c.req.valid('json')));
      // The override's id is made here: the trail's only link from this POST to the request it filed.
      // The maker's reason is kept as an edit's is: typed text about the customer, so the split moves it to
      // the side row with the customer's number (audit-personal.ts), and an erasure takes it with them.
      auditDetail(c, { ...decided(filed, undefined), reason: filed.reason });
      return c.json(filed, 201);
    })
    .openapi(subjectListRoute, async (c) => {
      const subject = await subjectOr404(c.var.deps, c.req.valid('param').id);
      return c.json(await readOf(c, await page(c.var.deps, c.req.valid('query'), subject.id)), 200);
    })
    .openapi(listRoute, async (c) => c.json(await readOf(c, await page(c.var.deps, c.req.valid('query'))), 200))
    .openapi(getRoute, async (c) => {
      const o = await overrideWithDecisions(c.var.deps, c.req.valid('param').overrideId);
      await readOf(c, { items: [o] });
      return c.json(o, 200);
    })
    .openapi(editRoute, async (c) => {
      const b = c.req.valid('json');
      // The request keeps only what it says now; what the checker was first shown lives in the trail.
      const edited = await editOverride(c.var.deps, c.req.valid('param').overrideId, b, (before, after) =>
        auditDetail(c, { before, after }),
      );
      auditTarget(c, { subject: edited.subject });
      return c.json(await withApprovers(c.var.deps, edited), 200);
    })
    .openapi(approveRoute, async (c) => {
      const b = c.req.valid('json');
      const note = b.note ?? null;
      const done = await decideOverride(c.var.deps, c.req.valid('param').overrideId, true, { contentHash: b.contentHash, note });
      return c.json(told(c, done, note, b.contentHash), 200);
    })
    .openapi(rejectRoute, async (c) => {
      const b = c.req.valid('json');
      const note = b.note ?? null;
      const done = await decideOverride(c.var.deps, c.req.valid('param').overrideId, false, { contentHash: b.contentHash, note });
      return c.json(told(c, done, note, b.contentHash), 200);
    })
    .openapi(revokeRoute, async (c) => {
      const note = c.req.valid('json').note ?? '';
      return c.json(told(c, await revokeOverride(c.var.deps, c.req.valid('param').overrideId, note), note), 200);
    })
    .openapi(withdrawRoute, async (c) => {
      const note = c.req.valid('json').note ?? null;
      return c.json(told(c, await withdrawOverride(c.var.deps, c.req.valid('param').overrideId, note), note), 200);
    });
}
