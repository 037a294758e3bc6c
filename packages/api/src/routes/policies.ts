import { createRoute } from '@hono/zod-openapi';
import { metricAudience, metricSubjectKinds, type PolicyVersionDetail } from '@tierkit/core';
import { listPolicyVersions, type PolicyVersion } from '@tierkit/db';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { packOf, type ApiDeps } from '../deps.js';
import { auditDetail } from '../middleware/audit.js';
import { router } from '../router.js';
import { problemResponses } from '../schemas/common.js';
import {
  ApprovalResponseSchema,
  RetirementResponseSchema,
  ApproveBody,
  DraftBody,
  PoliciesResponseSchema,
  PolicyVersionSchema,
  PolicyVersionsResponseSchema,
  PutVersionBody,
  RejectBody,
  RetireBody,
  ApproveRetirementBody,
  RejectRetirementBody,
  WithdrawRetirementBody,
  SchemeParams,
  SubmitBody,
  VersionParams,
  VersionsQuery,
} from '../schemas/policies.js';
import { approveVersion, createDraft, editDraft, rejectVersion, submitDraft, versionOr404 } from '../services/policy-lifecycle.js';
import { approvalShown } from '../services/policy-approval-impact.js';
import { approveRetirement, rejectRetirement, requestRetirement, withdrawRetirement } from '../services/policy-retirement.js';
import { schemePolicies, versionActors, versionDetail, versionSummary } from '../services/policy-views.js';
import { staffBehind, type StaffBehind } from '../services/staff-behind.js';
import { policyAnalysis, type SimulationSettings } from './policy-analysis.js';
import { requireDocumentReadable, requirePolicyReadable, unreadablePolicies } from '../services/policy-readers.js';

const json = <S>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });
const versionResponse = (description: string) => ({ description, content: { 'application/json': { schema: PolicyVersionSchema } } });

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['policies'],
  summary: 'Each scheme’s policy: the version in force, scheduled, pending approval and drafts',
  description:
    'Of the schemes whose levels the caller may read (`readers`; a scheme not in force by the strictest of its stored versions): another’s policy is left out, as every list of schemes leaves it (docs/permissions.md, "Who reads a scheme’s levels").',
  responses: {
    200: { description: 'Schemes in pack order', content: { 'application/json': { schema: PoliciesResponseSchema } } },
    ...problemResponses(),
  },
});

const versionsRoute = createRoute({
  method: 'get',
  path: '/{scheme}/versions',
  tags: ['policies'],
  summary: 'Every version of a scheme’s policy, newest first',
  description:
    'A scheme whose levels the caller may not read is a 403 `forbidden`, field code `scheme_not_readable` on `params.scheme` — here and on every route under `/v1/policies/{scheme}`, reads and writes alike, before anything is read or changed.',
  request: { params: SchemeParams, query: VersionsQuery },
  responses: {
    200: { description: 'A page of versions', content: { 'application/json': { schema: PolicyVersionsResponseSchema } } },
    ...problemResponses(400),
  },
});

const versionRoute = createRoute({
  method: 'get',
  path: '/{scheme}/versions/{version}',
  tags: ['policies'],
  summary: 'One version with its scheme definition and lifecycle',
  request: { params: VersionParams },
  responses: { 200: versionResponse('The version'), ...problemResponses(400, 404) },
});

const draftRoute = createRoute({
  method: 'post',
  path: '/{scheme}/drafts',
  tags: ['policies'],
  summary: 'Start a new version: a copy of the version in force, of another version, or a given document',
  description:
    'A document whose `readers` leave out the caller is a 403 `scheme_not_readable` on `document.readers`; one whose `readers` leave out every role that decides its versions (its guards’ strongest role, or above) a 422 `readers_without_decider`: nobody could change it again. Nothing is stored.',
  request: { params: SchemeParams, body: json(DraftBody) },
  responses: { 201: versionResponse('The new draft'), ...problemResponses(400, 404, 409, 413, 415, 422) },
});

const putRoute = createRoute({
  method: 'put',
  path: '/{scheme}/versions/{version}',
  tags: ['policies'],
  summary: 'Replace a draft’s document (a submitted version goes back to draft; its hash no longer stands)',
  description: 'Its `readers` are held as a new draft’s are (403 `scheme_not_readable`, 422 `readers_without_decider`), nothing changed.',
  request: { params: VersionParams, body: json(PutVersionBody) },
  responses: { 200: versionResponse('The draft'), ...problemResponses(400, 404, 409, 413, 415, 422) },
});

const submitRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/submit',
  tags: ['policies'],
  summary: 'Submit a draft for approval: validated with field paths, its content hash stored',
  request: { params: VersionParams, body: json(SubmitBody) },
  responses: { 200: versionResponse('The submitted version with its contentHash'), ...problemResponses(400, 404, 409, 413, 415) },
});

const approveRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/approve',
  tags: ['policies'],
  summary: 'Approve a submitted version from a date (another person than its authors and submitter)',
  description:
    'The body names the contentHash reviewed; an edited or withdrawn version is a 409 content-changed. `effectiveFrom` defaults to the first day of the next month (or of the month after a version already scheduled); a day on or before a scheduled version of the scheme is a 409 `scheduled_version_later`; a day in the month under way, in a month already judged, or already past needs `confirmRetier: true` (else 422, field code `effective_date_needs_confirmation`). The trail records the diff against the version it replaces (the last approved one) and the simulation job named (`simulationJobId`) — what the approver was shown. When the date has come, the book’s current month is evaluated again under it — the levels of this scheme and of the schemes derived from it, no other: synchronously for books up to 1,000 subjects of its kind, otherwise `deferred` to a re-tier job queued at once (`jobId`) that the workers run by themselves; while a monthly by-month feed the schemes read has not arrived for the month, nothing is judged now (`scheduled`, `missing` names the metrics) and the monthly schedule judges the month once it is loaded. A later date is `scheduled`: the monthly re-evaluation judges that month under it.',
  request: { params: VersionParams, body: json(ApproveBody) },
  responses: {
    200: { description: 'Approved', content: { 'application/json': { schema: ApprovalResponseSchema } } },
    ...problemResponses(400, 404, 409, 413, 415, 422),
  },
});

const rejectRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/reject',
  tags: ['policies'],
  summary: 'Reject a submitted version, with the reason',
  request: { params: VersionParams, body: json(RejectBody) },
  responses: { 200: versionResponse('Rejected'), ...problemResponses(400, 404, 409, 413, 415) },
});

const retireRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/retire',
  tags: ['policies'],
  summary: 'Ask for an approved version (scheduled or in force) to be retired: a second person decides',
  description:
    'Nothing changes in force: the version gets a pending retirement (`retireRequestedBy`, `retireRequestedAt`, `retireRequestNote`, `retireRequestHash`) and waits in the approvals queue (`kind: retirement`) for another person with the role the retirement needs, who approves (`…/retirement/approve`) or rejects it; the requester may withdraw it (`…/retirement/withdraw`). A second request while one waits is a 409 `conflict`, field code `retirement_pending`; a retirement that would leave a month’s pack invalid is a 422 now, not later.',
  request: { params: VersionParams, body: json(RetireBody) },
  responses: { 202: versionResponse('The version with its pending retirement'), ...problemResponses(400, 404, 409, 413, 415, 422) },
});

const approveRetirementRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/retirement/approve',
  tags: ['policies'],
  summary: 'Approve a pending retirement (another person than its requester, with the role it needs)',
  description:
    'The body names the `retireRequestHash` reviewed (409 content-changed when the request was withdrawn and asked again; 409 `conflict`, code `already_decided`, when another decided or withdrew it first). Its requester is refused with 403 `four-eyes`; a role weaker than what the retirement weakens asks for, 403 `forbidden`, field code `governance_weakened`; a version no longer active, or whose retirement would now leave a month’s pack invalid, a 409 with nothing retired. A version in force stops deciding; the current month is evaluated again without it, as after an approval (`reevaluation`: done, `deferred` to the re-tier job `jobId`, or `scheduled` with `missing` while the month’s data are not in).',
  request: { params: VersionParams, body: json(ApproveRetirementBody) },
  responses: {
    200: { description: 'Retired', content: { 'application/json': { schema: RetirementResponseSchema } } },
    ...problemResponses(400, 404, 409, 413, 415),
  },
});

const rejectRetirementRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/retirement/reject',
  tags: ['policies'],
  summary: 'Reject a pending retirement, with the reason (another person than its requester): the version stays',
  request: { params: VersionParams, body: json(RejectRetirementBody) },
  responses: { 200: versionResponse('The version, no retirement pending'), ...problemResponses(400, 404, 409, 413, 415) },
});

const withdrawRetirementRoute = createRoute({
  method: 'post',
  path: '/{scheme}/versions/{version}/retirement/withdraw',
  tags: ['policies'],
  summary: 'Withdraw a retirement you asked for: the version stays',
  request: { params: VersionParams, body: json(WithdrawRetirementBody) },
  responses: { 200: versionResponse('The version, no retirement pending'), ...problemResponses(400, 404, 409, 413, 415) },
});

/** `/v1/policies`: policy versions through draft → submitted → approved → active → retired, diff and simulation. */
/** The staff members behind the keys and tokens `versions` name (policy versions' `…ByStaff`). */
function behindVersions(deps: ApiDeps, versions: readonly PolicyVersion[]): Promise<StaffBehind> {
  return staffBehind(deps.db, deps.tenantId, versions.flatMap(versionActors));
}

/** `v` as the API sends it, with the pack in force and the people behind its actors. */
async function detailOf(deps: ApiDeps, v: PolicyVersion): Promise<PolicyVersionDetail> {
  return versionDetail(v, await packOf(deps), await behindVersions(deps, [v]));
}

/** `simulation`: the app's settings for simulations (createApp's `syncSimulationMaxSubjects`, `simulationChunkSubjects`). */
export function policies(simulation: SimulationSettings = {}) {
  return router()
    .openapi(listRoute, async (c) => {
      const deps = c.var.deps;
      const now = await packOf(deps);
      // Each metric with the kinds it is measured on, also for a catalogue stored before metrics named them,
      // so the editor offers a scheme only what validation will accept.
      // Likewise whether it is kept from customers, so the editor offers a customer scheme none of those.
      const metrics = now.pack.metrics.map((m) => {
        const subjectKinds = metricSubjectKinds(m);
        return { ...m, ...(subjectKinds ? { subjectKinds } : {}), ...(metricAudience(m) ? { audience: metricAudience(m) } : {}) };
      });
      const stored = await listPolicyVersions(deps.db, deps.tenantId);
      // A scheme whose policy the caller may not read is left out, as every list of schemes leaves it.
      const hidden = unreadablePolicies(deps, now, stored);
      const versions = stored.filter((v) => !hidden.has(v.scheme));
      return c.json({ items: schemePolicies(versions, now, await behindVersions(deps, versions)), metrics }, 200);
    })
    .openapi(versionsRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const { limit, cursor } = c.req.valid('query');
      const below = cursor === undefined ? Number.POSITIVE_INFINITY : Number(decodeCursor('policy-versions', cursor, ['v']).v);
      const now = await packOf(deps);
      // A scheme has tens of versions, not thousands: one query, paged here.
      const all = (await listPolicyVersions(deps.db, deps.tenantId, scheme)).filter((v) => v.version < below).reverse();
      const page = all.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = all.length > limit && last ? encodeCursor('policy-versions', { v: String(last.version) }) : null;
      const behind = await behindVersions(deps, page);
      return c.json({ items: page.map((v) => versionSummary(v, now, behind)), nextCursor }, 200);
    })
    .openapi(versionRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      return c.json(await detailOf(deps, await versionOr404(deps, scheme, version)), 200);
    })
    .openapi(draftRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      await requireDocumentReadable(deps, scheme, body.document);
      const draft = await createDraft(deps, scheme, body);
      // The version number is made here: the trail's only link from this POST to the draft it made.
      // The maker's word is kept beside it: an examiner reads why the rules were changed, not only that.
      auditDetail(c, { version: draft.version, note: body.note ?? null });
      return c.json(await detailOf(deps, draft), 201);
    })
    .openapi(putRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const { document } = c.req.valid('json');
      await requireDocumentReadable(deps, scheme, document);
      const edited = await editDraft(deps, await versionOr404(deps, scheme, version), document);
      return c.json(await detailOf(deps, edited), 200);
    })
    .openapi(submitRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const note = c.req.valid('json').note ?? null;
      const submitted = await submitDraft(deps, await versionOr404(deps, scheme, version), note);
      // What was submitted (the hash an approval must name) and the submitter's word on it.
      auditDetail(c, { version: submitted.version, contentHash: submitted.contentHash, note });
      return c.json(await detailOf(deps, submitted), 200);
    })
    .openapi(approveRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      const v = await versionOr404(deps, scheme, version);
      // Read once the request passed its checks and before the approval moves the version in force:
      // the diff the approver was shown is against the old one.
      let shown: Awaited<ReturnType<typeof approvalShown>> | null = null;
      const {
        version: approved,
        reevaluation,
        early,
      } = await approveVersion(deps, v, body, async () => {
        shown = await approvalShown(deps, v, body.simulationJobId);
      });
      // What was decided, for a reviewer of the trail: from when, whether the date was the default or
      // confirmed early, why, and what the approver was shown (the diff and the simulation named).
      auditDetail(c, {
        version: approved.version,
        effectiveFrom: approved.effectiveFrom,
        defaultDate: body.effectiveFrom === undefined,
        confirmedRetier: early.length > 0 ? early : null,
        note: body.note ?? null,
        // The content the approver reviewed, as a sign-off's approval names it: with the submitter's record
        // it ties the decision to the exact document (an edit changes the hash and voids the approval).
        contentHash: body.contentHash,
        shown,
      });
      return c.json({ version: await detailOf(deps, approved), reevaluation }, 200);
    })
    .openapi(rejectRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      const rejected = await rejectVersion(deps, await versionOr404(deps, scheme, version), body);
      auditDetail(c, {
        version: rejected.version,
        note: body.note,
        ...(body.contentHash !== undefined ? { contentHash: body.contentHash } : {}),
      });
      return c.json(await detailOf(deps, rejected), 200);
    })
    .openapi(retireRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      const asked = await requestRetirement(deps, await versionOr404(deps, scheme, version), body);
      auditDetail(c, { version: asked.version, effectiveFrom: asked.effectiveFrom, note: body.note, retirement: 'requested' });
      return c.json(await detailOf(deps, asked), 202);
    })
    .openapi(approveRetirementRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      const v = await versionOr404(deps, scheme, version);
      const { version: retired, reevaluation } = await approveRetirement(deps, v, body);
      // Who asked and why beside the approver's own word: the trail reads the decision without the request.
      auditDetail(c, {
        version: retired.version,
        effectiveFrom: retired.effectiveFrom,
        retirement: 'approved',
        requestedBy: v.retireRequestedBy,
        reason: v.retireRequestNote,
        note: body.note ?? null,
        contentHash: body.contentHash,
      });
      return c.json({ ...(await detailOf(deps, retired)), ...(reevaluation ? { reevaluation } : {}) }, 200);
    })
    .openapi(rejectRetirementRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      const v = await versionOr404(deps, scheme, version);
      const kept = await rejectRetirement(deps, v, body);
      auditDetail(c, {
        version: kept.version,
        retirement: 'rejected',
        requestedBy: v.retireRequestedBy,
        reason: v.retireRequestNote,
        note: body.note,
      });
      return c.json(await detailOf(deps, kept), 200);
    })
    .openapi(withdrawRetirementRoute, async (c) => {
      const deps = c.var.deps;
      const { scheme, version } = c.req.valid('param');
      await requirePolicyReadable(deps, scheme);
      const body = c.req.valid('json');
      const v = await versionOr404(deps, scheme, version);
      const kept = await withdrawRetirement(deps, v);
      auditDetail(c, { version: kept.version, retirement: 'withdrawn', reason: v.retireRequestNote, note: body.note ?? null });
      return c.json(await detailOf(deps, kept), 200);
    })
    .route('/', policyAnalysis(simulation));
}
