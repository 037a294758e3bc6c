import { mayApproveAs, type Locale } from '@tierkit/core';
import {
  anyPendingClosingRequest,
  closingRequestsOfSubject,
  type ClosingRequest,
  type Executor,
  findClosingRequest,
  insertClosingRequest,
  pendingClosingRequestOf,
  pendingClosingRequestsWindow,
  settleClosingRequest,
} from '@tierkit/db';
import { actorsOfPerson } from '../auth/api-keys.js';
import { AUDITOR } from '../auth/roles.js';
import type { ApiDeps } from '../deps.js';
import { subjectOr404 } from '../deps.js';
import { sortableId } from '../ids.js';
import { maskName } from '../mask.js';
import { ProblemError, subjectClosed } from '../problem.js';
import type { ApprovalSource } from './approvals-queue.js';
import { type ClosingWithdrawals, closeSubject } from './closing.js';
import { checkClosingActivity, checkedClosingDate } from './closing-date-checks.js';
import { contentHash, requestedByCaller, requireDistinctPerson, requireSameContent, samePerson } from './four-eyes.js';
import { closingRequestLapsesAt, hasLapsed, lapsedAtOrBefore, requestLapsed, statusAt } from './closing-lapse.js';

/*
 * Four eyes on a closing dated far back (docs/operations.md, "Retention and erasure"). A closing starts
 * the retention clock, and an erasure cannot be undone: one officer's date more than three months back
 * (closingAtOnceFrom) would bring a quiet customer's erasure years nearer on their word alone. Such a
 * closing is filed as a request (`POST /v1/subjects/{id}/close` answers 202); the customer stays open,
 * and the retention run holds them while it waits. A tenant-wide approver or admin other than its maker
 * (by person) approves it — the closing then applies with the date asked, its checks run again at that
 * moment — or rejects it; its maker may withdraw it. One pending per customer.
 */

/** A closing request as the API answers it, with what the caller may do about it. */
export async function closingRequestView(deps: Pick<ApiDeps, 'db' | 'tenantId' | 'principal' | 'unmaskNames' | 'now'>, r: ClosingRequest) {
  const byYou = await requestedByCaller(deps.db, deps.tenantId, deps.principal.actor)([r.requestedBy]);
  const status = statusAt(r, deps.now());
  const pending = status === 'pending';
  return {
    id: r.id,
    subject: r.externalId,
    subjectName: deps.unmaskNames ? r.displayName : maskName(r.displayName),
    at: r.at,
    late: r.late,
    reason: r.reason,
    status,
    contentHash: r.contentHash,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    lapsesAt: closingRequestLapsesAt(r.requestedAt),
    // Lapsed and not yet written so: when it lapsed, by no one.
    decidedBy: status !== r.status ? null : r.decidedBy,
    decidedAt: status !== r.status ? closingRequestLapsesAt(r.requestedAt) : r.decidedAt,
    decisionNote: r.decisionNote,
    requestedByYou: byYou,
    mayDecide: pending && !byYou && mayDecide(deps),
    mayWithdraw: pending && byYou,
  };
}

/** A tenant-wide approver or admin: who decides a closing request (the access table). */
function mayDecide(deps: Pick<ApiDeps, 'principal'>): boolean {
  return deps.principal.book === undefined && mayApproveAs(deps.principal.role, 'approver');
}

/** 409 `closing_request_pending`: one waits for this customer already; nothing was changed. */
export function closingRequestPending(id: string, waiting: ClosingRequest): ProblemError {
  return new ProblemError(
    'conflict',
    `A closing of "${id}" dated ${waiting.at} already waits for a second person (${waiting.id}, asked by ${waiting.requestedBy}): it is approved, rejected or withdrawn first. Nothing was changed.`,
    [
      {
        path: 'params.id',
        message: `closing request ${waiting.id} waits`,
        code: 'closing_request_pending',
        params: { request: waiting.id },
      },
    ],
  );
}

/**
 * File a closing request for an open customer (internal id `subjectId`, number `id`), in the caller's
 * transaction, after the date's checks passed: 409 while one waits for them.
 */
export async function fileClosingRequest(
  trx: Executor,
  tenantId: string,
  actor: string,
  subject: { readonly id: string; readonly externalId: string },
  asked: { readonly at: string; readonly late: boolean; readonly reason: string },
  now: Date,
): Promise<ClosingRequest> {
  const waiting = await pendingClosingRequestOf(trx, tenantId, subject.id);
  if (waiting) throw closingRequestPending(subject.externalId, waiting);
  return insertClosingRequest(trx, {
    tenantId,
    id: `clr_${sortableId(now)}`,
    subjectId: subject.id,
    ...asked,
    contentHash: contentHash({ subject: subject.externalId, ...asked }),
    requestedBy: actor,
    requestedAt: now.toISOString(),
  });
}

function requestOr404(r: ClosingRequest | undefined, id: string): ClosingRequest {
  if (!r) throw new ProblemError('not-found', `No closing request "${id}" in this tenant.`);
  return r;
}

/** 409 `already_decided`: settled first by someone else. */
function notPending(r: ClosingRequest, doing: string): ProblemError {
  return new ProblemError('conflict', `Closing request ${r.id} is ${r.status}; only a pending request can be ${doing}.`, [
    { path: 'params.id', message: `is ${r.status}`, code: 'already_decided', params: { status: r.status } },
  ]);
}

/** What a decision did: the request as settled, and for an approval the closing it applied. */
export interface ClosingDecision {
  readonly request: ClosingRequest;
  readonly closing?: { readonly closedAt: string; readonly leftAt: string | null; readonly withdrawn: ClosingWithdrawals };
}

/**
 * Approve or reject a closing request: a tenant-wide approver or admin (the access table) other than its
 * maker, by person, naming the content reviewed. An approval applies the closing with the date asked,
 * through the one path of every closing (closeSubject), after its checks run again now — the final
 * months, the retention period and the customer's activity may have moved while it waited (422 or 400
 * as a closing of today would be; the request then stays pending, for a rejection).
 */
export async function decideClosingRequest(
  deps: ApiDeps,
  id: string,
  decision: { readonly action: 'approve' | 'reject'; readonly contentHash: string; readonly note?: string | undefined },
  held: (r: ClosingRequest) => void,
): Promise<ClosingDecision> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const doing = decision.action === 'approve' ? 'approved' : 'rejected';
  const asked = requestOr404(await findClosingRequest(deps.db, deps.tenantId, id), id);
  held(asked);
  if (hasLapsed(asked, now)) throw requestLapsed(asked, doing);
  // Read outside the transaction as the API's closing reads them: the final months and retention now.
  const counted =
    decision.action === 'approve' && asked.status === 'pending'
      ? await checkedClosingDate(deps, asked.externalId, asked.at, asked.late, now)
      : undefined;
  return deps.db.transaction().execute(async (trx) => {
    const r = requestOr404(await findClosingRequest(trx, deps.tenantId, id, true), id);
    if (r.status !== 'pending') throw notPending(r, doing);
    if (hasLapsed(r, now)) throw requestLapsed(r, doing);
    await requireDistinctPerson(trx, deps.tenantId, [r.requestedBy], deps.principal.actor);
    requireSameContent(r.contentHash, decision.contentHash);
    let closing: ClosingDecision['closing'];
    if (decision.action === 'approve' && counted) {
      const subject = await subjectOr404(deps, r.externalId, trx);
      if (subject.closedAt !== null) throw subjectClosed(r.externalId, subject, 'params.id', 'reject the request');
      await checkClosingActivity(trx, deps, r.externalId, subject.id, r.at, r.late);
      const withdrawn = await closeSubject(
        trx,
        deps.tenantId,
        subject.id,
        { at: counted.at, reason: r.reason, leftAt: counted.leftAt },
        deps.principal.actor,
        nowIso,
      );
      if (!withdrawn) throw subjectClosed(r.externalId, await subjectOr404(deps, r.externalId, trx), 'params.id', 'reject the request');
      closing = { closedAt: counted.at, leftAt: counted.leftAt, withdrawn };
    }
    const settled = await settleClosingRequest(trx, deps.tenantId, r.id, {
      status: decision.action === 'approve' ? 'approved' : 'rejected',
      by: deps.principal.actor,
      at: nowIso,
      note: decision.note ?? null,
    });
    if (!settled) throw notPending(r, doing);
    const request = requestOr404(await findClosingRequest(trx, deps.tenantId, r.id), r.id);
    return closing ? { request, closing } : { request };
  });
}

/** Withdraw a closing request: only its maker (by person), while it waits. */
export async function withdrawClosingRequest(
  deps: Pick<ApiDeps, 'db' | 'tenantId' | 'principal' | 'now'>,
  id: string,
  note: string | undefined,
  held: (r: ClosingRequest) => void,
): Promise<ClosingRequest> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const r = requestOr404(await findClosingRequest(trx, deps.tenantId, id, true), id);
    held(r);
    if (r.status !== 'pending') throw notPending(r, 'withdrawn');
    if (hasLapsed(r, now)) throw requestLapsed(r, 'withdrawn');
    if (!(await samePerson(trx, deps.tenantId, r.requestedBy, deps.principal.actor)))
      throw new ProblemError(
        'forbidden',
        `Only the person who asked for closing request ${r.id} (${r.requestedBy}) may withdraw it; an approver may reject it.`,
      );
    if (
      !(await settleClosingRequest(trx, deps.tenantId, r.id, {
        status: 'withdrawn',
        by: deps.principal.actor,
        at: now.toISOString(),
        note: note ?? null,
      }))
    )
      throw notPending(r, 'withdrawn');
    return requestOr404(await findClosingRequest(trx, deps.tenantId, r.id), r.id);
  });
}

/**
 * One customer's requests (number `subject`), the latest 20 filed first: every one for those who see the
 * whole queue (a tenant-wide approver or admin, internal audit), else the caller's own, as the queue.
 */
export async function closingRequestsOf(deps: Pick<ApiDeps, 'db' | 'tenantId' | 'principal'>, subject: string): Promise<ClosingRequest[]> {
  const all = mayDecide(deps) || deps.principal.role === AUDITOR;
  const mine = all ? undefined : await actorsOfPerson(deps.db, deps.tenantId, deps.principal.actor);
  return closingRequestsOfSubject(deps.db, deps.tenantId, subject, 20, mine);
}

/** The queue's words for a closing request, per locale. */
const WORDS: Readonly<Record<Locale, (day: string, late: boolean) => string>> = {
  'zh-CN': (d, late) => `${late ? '补录销户' : '销户'}：离开日期 ${d}，待复核`,
  'zh-TW': (d, late) => `${late ? '補錄銷戶' : '銷戶'}：離開日期 ${d}，待覆核`,
  en: (d, late) => `${late ? 'closing learnt late' : 'closing'}: left on ${d}, for a second person`,
};

/** One line for the approvals queue: "补录销户：离开日期 2021-03-01，待复核" (the day in the bank's calendar). */
export function closingRequestSummary(r: ClosingRequest, locale: Locale, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(r.at));
  return WORDS[locale](day, r.late);
}

/**
 * The approvals queue's source of closing requests (`kind: closing`). A tenant-wide approver or admin
 * decides them and sees them all, and internal audit reads them all; anyone else sees only those they
 * asked for (a closing dated years back names a customer and why, which is not a colleague's to read).
 */
export const pendingClosingRequests: ApprovalSource = {
  kind: 'closing',
  window: async (deps, w, { locale, timeZone }) => {
    const all = mayDecide(deps) || deps.principal.role === AUDITOR;
    const mine = all ? undefined : await actorsOfPerson(deps.db, deps.tenantId, deps.principal.actor);
    // A caller's own: their requests, narrowed further by what the queue asked (`mine=`).
    const window = mine === undefined || w.requesters !== undefined ? w : { ...w, requesters: { only: mine } };
    if (mine !== undefined && w.requesters !== undefined && !('only' in w.requesters)) return [];
    // A lapsed request is no longer anyone's to decide: out of the queue (the customer's own list shows it).
    return (await pendingClosingRequestsWindow(deps.db, deps.tenantId, window, lapsedAtOrBefore(deps.now()))).map((r) => ({
      requestedAt: r.requestedAt,
      kind: 'closing',
      id: r.id,
      scheme: '',
      item: () => ({
        kind: 'closing',
        id: r.id,
        scheme: '',
        subject: r.externalId,
        subjectName: deps.unmaskNames ? r.displayName : maskName(r.displayName),
        summary: closingRequestSummary(r, locale, timeZone),
        reason: r.reason,
        currentLevel: null,
        fromLevel: null,
        level: null,
        mode: null,
        expiresAt: null,
        period: null,
        requestedBy: r.requestedBy,
        requestedAt: r.requestedAt,
        ageSeconds: 0,
        contentHash: r.contentHash,
        approvalNeeds: 'approver',
        closing: { at: r.at, late: r.late },
        requesters: [r.requestedBy],
      }),
    }));
  },
  any: async (deps, of) =>
    mayDecide(deps) || deps.principal.role === AUDITOR
      ? anyPendingClosingRequest(deps.db, deps.tenantId, of, lapsedAtOrBefore(deps.now()))
      : anyPendingClosingRequest(
          deps.db,
          deps.tenantId,
          of,
          lapsedAtOrBefore(deps.now()),
          await actorsOfPerson(deps.db, deps.tenantId, deps.principal.actor),
        ),
};
