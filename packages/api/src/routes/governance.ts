import { createRoute, z } from '@hono/zod-openapi';
import { KEY_PATTERN, PRODUCT_RISKS } from '@tierkit/core';
import { auditDetail, auditRead } from '../middleware/audit.js';
import { problemResponses } from '../schemas/common.js';
import {
  APPROVAL_KINDS,
  ApprovalsResponseSchema,
  DecisionBody,
  LevelApprovalSchema,
  OverdueReviewsSchema,
  RejectBody,
  ReviewBody,
  ReviewSchema,
  SuitabilitySchema,
} from '../schemas/four-eyes.js';
import { LocaleQuery } from '../locale.js';
import { CursorQuery, LimitQuery, ManagerQuery, SubjectIdParams } from '../schemas/params.js';
import { approvalsPage } from '../services/approvals-queue.js';
import { decideLevel, pendingLevel, type levelApprovalView } from '../services/level-approvals.js';
import { overdueReviewsPage, recordReview } from '../services/reviews.js';
import { suitabilityView } from '../services/suitability.js';
import { overrideRoutes } from './overrides.js';
import { packOf } from '../deps.js';
import { audienceOf, requireReadable } from '../services/audience.js';
import { recordRestrictedItems } from '../services/restricted-reads.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ body: { required: true, ...json(schema) } });
const optionalKey = (name: string, description?: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ param: { name, in: 'query' }, ...(description ? { description } : {}) });

const LevelParams = SubjectIdParams.extend({
  scheme: z
    .string()
    .min(1)
    .max(64)
    .regex(KEY_PATTERN, 'letters, digits, "_", "-", "." only')
    .openapi({ param: { name: 'scheme', in: 'path' }, example: 'aml-risk' }),
});

const pendingLevelRoute = createRoute({
  method: 'get',
  path: '/subjects/{id}/levels/{scheme}/approval',
  tags: ['four eyes'],
  summary: 'The sign-off a subject’s approval-required level is waiting for',
  request: { params: LevelParams },
  responses: { 200: { description: 'Pending', ...json(LevelApprovalSchema) }, ...problemResponses(400, 404) },
});

const levelDecision = <S extends typeof DecisionBody | typeof RejectBody>(name: 'approve' | 'reject', summary: string, schema: S) =>
  createRoute({
    method: 'post',
    path: `/subjects/{id}/levels/{scheme}/${name}`,
    tags: ['four eyes'],
    summary,
    description:
      'A customer who left the bank has none to decide: closing them withdrew it (status `withdrawn`, note "customer closed"), and a decision is a 409 `conflict`, code `subject_closed` — after four eyes (whoever caused the level: 403 `four-eyes`). A sign-off decided before the closing, or withdrawn by an earlier closing the customer was reopened from, is not waiting: a 404, as for a current customer. Its params carry `closedAt`, and `leftAt` for a closing learnt late (the message then names when the customer really left).',
    request: { params: LevelParams, ...body(schema) },
    responses: { 200: { description: 'Decided', ...json(LevelApprovalSchema) }, ...problemResponses(400, 404, 409, 413, 415) },
  });
const approveLevelRoute = levelDecision(
  'approve',
  'Sign off a pending approval-required level (approver, not whoever caused it)',
  DecisionBody,
);
const rejectLevelRoute = levelDecision('reject', 'Dispute a pending approval-required level (approver), with a note', RejectBody);

const approvalsRoute = createRoute({
  method: 'get',
  path: '/approvals',
  tags: ['four eyes'],
  summary: 'The approvals queue: every request waiting for a second person, oldest first',
  description:
    'Every kind of item about a scheme the caller may not read (its `readers`; for a scheme not yet or no longer in force, those of its stored versions) is left out — an AML sign-off, override request, policy version or retirement for a viewer or analyst — in each window, so pages stay full and no cursor passes one. `scheme` naming a scheme in force they may not read is a 403 `forbidden`, field code `scheme_not_readable`; one not in force, the 400 `unknown_scheme` of a scheme nobody has. A book-scoped approver (a team lead) reads only the override requests of the customers in their reach that they may decide (`mine` absent reads as `false`; `mine=true`: those they filed there), no other kind; other book-scoped staff are refused (403).',
  request: {
    query: z.object({
      kind: z
        .enum(APPROVAL_KINDS)
        .optional()
        .openapi({ param: { name: 'kind', in: 'query' } }),
      scheme: optionalKey('scheme'),
      subject: optionalKey('subject', 'External id of a subject'),
      minAgeSeconds: z.coerce
        .number()
        .int()
        .min(0)
        .max(10 * 365 * 86400)
        .optional()
        .openapi({ param: { name: 'minAgeSeconds', in: 'query' }, description: 'Only items waiting at least this long' }),
      mine: z
        .enum(['true', 'false'])
        .optional()
        .openapi({
          param: { name: 'mine', in: 'query' },
          description:
            '`true`: only the requests the caller made (any credential of their person, as `requestedByYou`); `false`: what waits for the caller — those others made that the caller’s role may decide (an item whose `approvalNeeds` is stronger than the caller’s role is left out, in the query, so pages and an empty queue agree; below approver nothing). Absent: every request, each with its `approvalNeeds`. Anything else is a 400.',
        }),
      locale: LocaleQuery.openapi({
        description: 'The language of each item’s `summary` (scheme and level labels); zh-CN when absent.',
      }),
      limit: LimitQuery,
      cursor: CursorQuery,
    }),
  },
  responses: { 200: { description: 'One page', ...json(ApprovalsResponseSchema) }, ...problemResponses(400, 403) },
});

const overdueRoute = createRoute({
  method: 'get',
  path: '/reviews/overdue',
  tags: ['four eyes'],
  summary: 'Subjects whose level’s review interval (`reviewMonths`) has passed since their last review',
  request: { query: z.object({ scheme: optionalKey('scheme'), manager: ManagerQuery, limit: LimitQuery, cursor: CursorQuery }) },
  responses: { 200: { description: 'One page, by subject id', ...json(OverdueReviewsSchema) }, ...problemResponses(400, 403) },
});

const reviewRoute = createRoute({
  method: 'post',
  path: '/subjects/{id}/reviews',
  tags: ['four eyes'],
  summary: 'Record a periodic review of a subject’s current level in a scheme (officer); its review interval starts again',
  description:
    'A level that needs a sign-off (`approvalRequired`: AML 高) is reviewed by the role that signs it off, an approver or higher: anyone weaker (an officer, a relationship manager) gets 403 `forbidden`, field code `review_needs_sign_off_role` (params `scheme`, `level`, `needs`), and nothing is recorded.',
  request: { params: SubjectIdParams, ...body(ReviewBody) },
  responses: { 201: { description: 'Recorded', ...json(ReviewSchema) }, ...problemResponses(400, 404, 413, 415, 422) },
});

const suitabilityRoute = createRoute({
  method: 'get',
  path: '/subjects/{id}/suitability',
  tags: ['four eyes'],
  summary: 'May this customer buy a product of this risk level: R level × the customer’s C level, with the reasons',
  request: {
    params: SubjectIdParams,
    query: z.object({
      product: z
        .enum(PRODUCT_RISKS)
        .optional()
        .openapi({ param: { name: 'product', in: 'query' }, description: 'Product risk level R1–R5' }),
      productId: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, "_", ".", ":", "-" only')
        .optional()
        .openapi({
          param: { name: 'productId', in: 'query' },
          description: 'Or: the external id of a product subject, whose level is read',
        }),
    }),
  },
  responses: { 200: { description: 'The check', ...json(SuitabilitySchema) }, ...problemResponses(400, 404, 422) },
});

/**
 * What a sign-off or lowering decision decided, for an auditor reading the trail alone: the sign-off
 * rows are not hash-chained and no route reads one once decided, so the record carries the move, its
 * month, its maker and the note (an internal auditor found these decisions with `detail: null`, as
 * overrides.ts records its own). The decider and the outcome are the record's actor and route.
 */
function decisionDetail(d: ReturnType<typeof levelApprovalView>, note: string | null): Record<string, unknown> {
  return {
    kind: d.proposedLevel ? 'lowering' : 'sign-off',
    scheme: d.scheme,
    level: d.level,
    from: d.from,
    proposedLevel: d.proposedLevel ?? null,
    period: d.period,
    maker: d.requestedBy,
    note,
    contentHash: d.contentHash,
  };
}

/**
 * Four eyes over HTTP, mounted at `/v1`: overrides, level sign-offs, the approvals queue, reviews and
 * the suitability check. Who may call each is in auth/access.ts.
 */
export function governance() {
  return overrideRoutes()
    .openapi(pendingLevelRoute, async (c) => {
      const { id, scheme } = c.req.valid('param');
      const deps = c.var.deps;
      // A pending sign-off names the grade it would hold (AML 高): its readers' only, and recorded.
      const tp = await packOf(deps);
      requireReadable(deps.principal, tp, scheme, 'params.scheme');
      const pending = await pendingLevel(deps, id, scheme);
      recordRestrictedItems(c, audienceOf(deps.principal, tp), [pending]);
      return c.json(pending, 200);
    })
    .openapi(approveLevelRoute, async (c) => {
      const { id, scheme } = c.req.valid('param');
      const b = c.req.valid('json');
      const decided = await decideLevel(c.var.deps, id, scheme, true, { contentHash: b.contentHash, note: b.note ?? null });
      auditDetail(c, decisionDetail(decided, b.note ?? null));
      return c.json(decided, 200);
    })
    .openapi(rejectLevelRoute, async (c) => {
      const { id, scheme } = c.req.valid('param');
      const b = c.req.valid('json');
      const decided = await decideLevel(c.var.deps, id, scheme, false, { contentHash: b.contentHash, note: b.note });
      auditDetail(c, decisionDetail(decided, b.note));
      return c.json(decided, 200);
    })
    .openapi(approvalsRoute, async (c) => {
      const q = c.req.valid('query');
      return c.json(
        await approvalsPage(c.var.deps, {
          limit: q.limit,
          ...(q.kind !== undefined ? { kind: q.kind } : {}),
          ...(q.scheme !== undefined ? { scheme: q.scheme } : {}),
          ...(q.subject !== undefined ? { subject: q.subject } : {}),
          ...(q.minAgeSeconds !== undefined ? { minAgeSeconds: q.minAgeSeconds } : {}),
          ...(q.mine !== undefined ? { mine: q.mine === 'true' } : {}),
          ...(q.locale !== undefined ? { locale: q.locale } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        }),
        200,
      );
    })
    .openapi(overdueRoute, async (c) => {
      const q = c.req.valid('query');
      const { restricted, ...page } = await overdueReviewsPage(c.var.deps, {
        limit: q.limit,
        ...(q.scheme !== undefined ? { scheme: q.scheme } : {}),
        ...(q.manager !== undefined ? { manager: q.manager } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
      // A review due of a restricted grade names the customer's level in it: recorded, as /tiers is.
      if (restricted.subjects.length > 0)
        auditRead(c, { restrictedRead: { schemes: restricted.schemes, subjects: restricted.subjects, count: restricted.subjects.length } });
      return c.json(page, 200);
    })
    .openapi(reviewRoute, async (c) => {
      const b = c.req.valid('json');
      return c.json(await recordReview(c.var.deps, c.req.valid('param').id, b.scheme, b.note), 201);
    })
    .openapi(suitabilityRoute, async (c) => {
      const q = c.req.valid('query');
      return c.json(
        await suitabilityView(c.var.deps, c.req.valid('param').id, {
          ...(q.product !== undefined ? { product: q.product } : {}),
          ...(q.productId !== undefined ? { productId: q.productId } : {}),
        }),
        200,
      );
    });
}
