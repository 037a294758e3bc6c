import type { Locale, MetricDef } from '@tierkit/core';
import {
  anyPendingMetricAudienceRequest,
  findMetricAudienceRequest,
  insertMetricAudienceRequest,
  pendingMetricAudienceRequestOf,
  pendingMetricAudienceRequestsWindow,
  settleMetricAudienceRequest,
  type Executor,
  type MetricAudienceRequest,
} from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import type { ApprovalSource } from './approvals-queue.js';
import { sortableId } from '../ids.js';
import { ProblemError } from '../problem.js';
import { contentHash, requestedByCaller, requireDistinctPerson, requireSameContent, samePerson } from './four-eyes.js';
import {
  audienceOf,
  checkAmendment,
  decide,
  entryNow,
  type MayReadPolicy,
  type MetricAudience,
  type MetricEntry,
} from './metric-catalogue.js';

/*
 * A metric's audience lowered (compliance → staff → customer) is four eyes, as a staff grant is
 * (services/staff-grants.ts): it lets customer schemes draw a line on a figure the bank kept from
 * customers, so one tenant-wide admin asks (`PUT /v1/metrics/{key}` answers 202 with the request) and
 * another decides (`POST /v1/metric-audience-requests/{id}/approve|reject`), never its maker by any
 * credential of theirs. Raising an audience stays immediate: keeping more from customers is the safe
 * direction. The decision takes the catalogue's lock (`decide`) and runs the amendment's checks again,
 * so what it applies is what holds then, and a catalogue changed since the request is a 409.
 */

/** How long a request waits for a second admin: a week, as a staff grant does (`STAFF_GRANT_DAYS`). */
export const METRIC_AUDIENCE_REQUEST_DAYS = 7;

/** `pending` past its expiry reads as `expired`. */
export function requestState(r: MetricAudienceRequest, now: Date): MetricAudienceRequest['status'] {
  return r.status === 'pending' && r.expiresAt <= now.toISOString() ? 'expired' : r.status;
}

const plain = (def: MetricDef) => ({
  key: def.key,
  unit: def.unit,
  ...(def.currency !== undefined ? { currency: def.currency } : {}),
  label: def.label,
  ...(def.subjectKinds !== undefined ? { subjectKinds: def.subjectKinds } : {}),
  actionable: def.actionable !== false,
  audience: audienceOf(def),
});

/** A request as the API answers it, with what the caller may do about it. */
export async function requestView(deps: Pick<ApiDeps, 'db' | 'tenantId' | 'principal' | 'now'>, r: MetricAudienceRequest) {
  const byYou = await requestedByCaller(deps.db, deps.tenantId, deps.principal.actor)([r.requestedBy]);
  const state = requestState(r, deps.now());
  const pending = state === 'pending';
  return {
    id: r.id,
    metric: r.metric,
    from: audienceOf(r.before) as MetricAudience,
    to: audienceOf(r.after) as MetricAudience,
    before: plain(r.before),
    after: plain(r.after),
    status: state,
    contentHash: r.contentHash,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    expiresAt: r.expiresAt,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    decisionNote: r.decisionNote,
    reason: r.reason,
    requestedByYou: byYou,
    mayDecide: pending && !byYou && mayDecide(deps),
    mayWithdraw: (pending || state === 'expired') && byYou,
  };
}

/** The queue's words for audiences, per locale. */
const AUDIENCE_WORDS: Readonly<Record<Locale, { readonly title: string; readonly audience: Readonly<Record<MetricAudience, string>> }>> = {
  'zh-CN': { title: '指标可见范围', audience: { customer: '客户可见', staff: '仅员工', compliance: '仅合规' } },
  'zh-TW': { title: '指標可見範圍', audience: { customer: '客戶可見', staff: '僅員工', compliance: '僅合規' } },
  en: { title: 'Metric audience', audience: { customer: 'customer-facing', staff: 'staff only', compliance: 'compliance only' } },
};

/** One line for the approvals queue: "指标可见范围：内部评分 (internal_score) 仅员工 → 客户可见". */
export function audienceRequestSummary(r: MetricAudienceRequest, locale: Locale): string {
  const w = AUDIENCE_WORDS[locale];
  const label = r.after.label[locale] ?? r.after.label.en ?? r.metric;
  return `${w.title}${locale === 'en' ? ': ' : '：'}${label} (${r.metric}) ${w.audience[audienceOf(r.before)]} → ${w.audience[audienceOf(r.after)]}`;
}

/**
 * The approvals queue's source of these requests (`kind: metric-audience`). Only a tenant-wide admin
 * decides one or may file one (the access table), so only such an admin's queue holds them — the
 * maker's too, marked `requestedByYou`, with `approvalBlocked: no-other-admin` when no other admin is
 * left to decide. About no scheme or subject: a queue filtered by either lists none.
 */
export const pendingMetricAudienceRequests: ApprovalSource = {
  kind: 'metric-audience',
  window: async (deps, w, { locale }) =>
    !mayDecide(deps)
      ? []
      : (await pendingMetricAudienceRequestsWindow(deps.db, deps.tenantId, w, deps.now().toISOString())).map((r) => ({
          requestedAt: r.requestedAt,
          kind: 'metric-audience',
          id: r.id,
          scheme: '',
          item: () => ({
            kind: 'metric-audience',
            id: r.id,
            scheme: '',
            subject: null,
            summary: audienceRequestSummary(r, locale),
            reason: r.reason,
            currentLevel: null,
            fromLevel: null,
            level: null,
            mode: null,
            expiresAt: r.expiresAt,
            period: null,
            requestedBy: r.requestedBy,
            requestedAt: r.requestedAt,
            ageSeconds: 0,
            contentHash: r.contentHash,
            approvalNeeds: 'admin',
            requesters: [r.requestedBy],
          }),
        })),
  any: async (deps, of) =>
    of.scheme === undefined &&
    of.subject === undefined &&
    mayDecide(deps) &&
    anyPendingMetricAudienceRequest(deps.db, deps.tenantId, deps.now().toISOString()),
};

/** A tenant-wide admin: who files and decides these requests (docs/permissions.md). */
function mayDecide(deps: Pick<ApiDeps, 'principal'>): boolean {
  return deps.principal.role === 'admin' && deps.principal.book === undefined;
}

/**
 * File the request inside the amendment's transaction (`amendMetric`'s `fileLowering`): one pending
 * per metric (409 `metric-audience-request-pending` while another waits; a lapsed one is settled as such).
 */
export function fileLowering(deps: Pick<ApiDeps, 'tenantId' | 'principal' | 'now'>, reason: string | undefined) {
  return async (trx: Executor, before: MetricDef, after: MetricDef): Promise<MetricAudienceRequest> => {
    // A checker decides on the maker's word, as on an override's: none, or only blanks, is refused here,
    // where the amendment is known to lower the audience (an amendment applied at once needs none).
    if (!reason)
      throw new ProblemError(
        'unprocessable',
        `Lowering the audience of "${after.key}" is a request a second admin decides: give its reason. Nothing was changed.`,
        [{ path: 'reason', message: 'required to lower an audience', code: 'required', params: { metric: after.key } }],
      );
    const now = deps.now();
    const waiting = await pendingMetricAudienceRequestOf(trx, deps.tenantId, after.key);
    if (waiting !== undefined) {
      if (requestState(waiting, now) === 'pending')
        throw new ProblemError(
          'conflict',
          `A request to lower the audience of "${after.key}" already waits for a second admin (${waiting.id}, asked by ${waiting.requestedBy}): its maker withdraws it or another admin decides it first. Nothing was changed.`,
          [
            {
              path: 'audience',
              message: `request ${waiting.id} waits`,
              code: 'audience_request_pending',
              params: { metric: after.key, request: waiting.id },
            },
          ],
        );
      await settleMetricAudienceRequest(trx, deps.tenantId, waiting.id, {
        status: 'expired',
        by: 'system',
        at: now.toISOString(),
        note: null,
      });
    }
    const expiresAt = new Date(now.getTime() + METRIC_AUDIENCE_REQUEST_DAYS * 86_400_000).toISOString();
    return insertMetricAudienceRequest(trx, {
      tenantId: deps.tenantId,
      id: `mar_${sortableId(now)}`,
      metric: after.key,
      before,
      after,
      contentHash: contentHash({ metric: after.key, before, after, expiresAt }),
      requestedBy: deps.principal.actor,
      requestedAt: now.toISOString(),
      expiresAt,
      reason,
    });
  };
}

function requestOr404(r: MetricAudienceRequest | undefined, id: string): MetricAudienceRequest {
  if (!r) throw new ProblemError('not-found', `No metric audience request "${id}" in this tenant.`);
  return r;
}

/** 409 `already_decided`: settled first by someone else (or lapsed, for a decision). */
function notPending(r: MetricAudienceRequest, state: string, doing: string): ProblemError {
  return new ProblemError('conflict', `Metric audience request ${r.id} is ${state}; only a pending request can be ${doing}.`, [
    { path: 'params.id', message: `is ${state}`, code: 'already_decided', params: { status: state } },
  ]);
}

/**
 * Approve or reject a request: a tenant-wide admin (the access table) other than its maker, by person.
 * An approval names the content it reviewed and applies only while the catalogue still holds the entry
 * the maker saw (409 `content-changed`: reject it and ask again), passing the amendment's checks as
 * they stand now — all in the catalogue's one transaction (`decide`).
 */
export async function decideAudienceRequest(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'packs' | 'principal' | 'now' | 'timeZone'>,
  id: string,
  decision: { readonly action: 'approve' | 'reject'; readonly contentHash?: string | undefined; readonly note?: string | undefined },
  mayRead: MayReadPolicy,
  held: (r: MetricAudienceRequest) => void,
): Promise<{ request: MetricAudienceRequest; entry?: MetricEntry }> {
  const now = deps.now();
  const doing = decision.action === 'approve' ? 'approved' : 'rejected';
  return decide<{ request: MetricAudienceRequest; entry?: MetricEntry }>(deps, async (trx, tenant) => {
    const r = requestOr404(await findMetricAudienceRequest(trx, deps.tenantId, id, true), id);
    held(r);
    const state = requestState(r, now);
    if (state !== 'pending') throw notPending(r, state, doing);
    await requireDistinctPerson(trx, deps.tenantId, [r.requestedBy], deps.principal.actor);
    if (decision.contentHash !== undefined || decision.action === 'approve') requireSameContent(r.contentHash, decision.contentHash ?? '');
    let metrics: MetricDef[] | undefined;
    if (decision.action === 'approve') {
      const current = tenant.metrics.find((m) => m.key === r.metric);
      if (!current || contentHash(current) !== contentHash(r.before))
        throw new ProblemError(
          'content-changed',
          `Metric "${r.metric}" ${current ? 'changed' : 'was removed'} since request ${r.id} was asked: reject it, and ask again from the catalogue as it is.`,
        );
      metrics = (await checkAmendment(deps, trx, tenant, r.before, r.after, mayRead)).metrics;
    }
    const settled = await settleMetricAudienceRequest(trx, deps.tenantId, r.id, {
      status: decision.action === 'approve' ? 'approved' : 'rejected',
      by: deps.principal.actor,
      at: now.toISOString(),
      note: decision.note ?? null,
    });
    if (!settled) throw notPending(r, 'decided', doing);
    const request = requestOr404(await findMetricAudienceRequest(trx, deps.tenantId, r.id), r.id);
    return metrics ? { metrics, result: { request, entry: await entryNow(trx, deps.tenantId, r.after) } } : { result: { request } };
  });
}

/** Withdraw a request: only its maker (by person), while it waits or after it lapsed. */
export async function withdrawAudienceRequest(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'principal' | 'now'>,
  id: string,
  note: string | undefined,
  held: (r: MetricAudienceRequest) => void,
): Promise<MetricAudienceRequest> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const r = requestOr404(await findMetricAudienceRequest(trx, deps.tenantId, id, true), id);
    held(r);
    const state = requestState(r, now);
    if (state !== 'pending' && state !== 'expired') throw notPending(r, state, 'withdrawn');
    if (!(await samePerson(trx, deps.tenantId, r.requestedBy, deps.principal.actor)))
      throw new ProblemError(
        'forbidden',
        `Only the admin who asked for metric audience request ${r.id} (${r.requestedBy}) may withdraw it; another admin may reject it.`,
      );
    if (
      !(await settleMetricAudienceRequest(trx, deps.tenantId, r.id, {
        status: 'withdrawn',
        by: deps.principal.actor,
        at: now.toISOString(),
        note: note ?? null,
      }))
    )
      throw notPending(r, 'decided', 'withdrawn');
    return requestOr404(await findMetricAudienceRequest(trx, deps.tenantId, r.id), r.id);
  });
}
