import type { MetricDef } from '@tierkit/core';
import { sql, type Selectable } from 'kysely';
import type { MetricAudienceRequestTable } from '../schema.js';
import { afterPosition, codeUnitOrder, requesterCondition, type ApprovalsWindow } from './approvals-window.js';
import { isPostgres, parseJson, type Executor } from './executor.js';

/** Where a request to lower a metric's audience stands; a pending one past its expiry reads as expired. */
export const METRIC_AUDIENCE_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'expired'] as const;
export type MetricAudienceRequestStatus = (typeof METRIC_AUDIENCE_REQUEST_STATUSES)[number];

/** A metric's audience lowered by one admin, waiting for (or decided by) another. */
export interface MetricAudienceRequest {
  readonly tenantId: string;
  readonly id: string;
  readonly metric: string;
  /** The catalogue entry as the maker saw it, and the entry asked for. */
  readonly before: MetricDef;
  readonly after: MetricDef;
  readonly status: MetricAudienceRequestStatus;
  readonly contentHash: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  /** Why its maker asked; null on a request filed before reasons were asked for. */
  readonly reason: string | null;
}

function toRequest(r: Selectable<MetricAudienceRequestTable>): MetricAudienceRequest {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    metric: r.metric,
    before: parseJson<MetricDef>(r.before),
    after: parseJson<MetricDef>(r.after),
    status: r.status as MetricAudienceRequestStatus,
    contentHash: r.content_hash,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    reason: r.reason,
  };
}

/** File a request (status `pending`). A second pending one for the same metric violates a unique index. */
export async function insertMetricAudienceRequest(
  db: Executor,
  r: Omit<MetricAudienceRequest, 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote'>,
): Promise<MetricAudienceRequest> {
  await db
    .insertInto('metric_audience_requests')
    .values({
      id: r.id,
      tenant_id: r.tenantId,
      metric: r.metric,
      before: JSON.stringify(r.before),
      after: JSON.stringify(r.after),
      status: 'pending',
      content_hash: r.contentHash,
      requested_by: r.requestedBy,
      requested_at: r.requestedAt,
      expires_at: r.expiresAt,
      reason: r.reason,
    })
    .execute();
  const stored = await findMetricAudienceRequest(db, r.tenantId, r.id);
  if (!stored) throw new Error(`metric audience request ${r.id} not stored`);
  return stored;
}

/** One request of a tenant; `lock` holds its row until the transaction ends on PostgreSQL (SQLite's writer holds the file). */
export async function findMetricAudienceRequest(
  db: Executor,
  tenantId: string,
  id: string,
  lock = false,
): Promise<MetricAudienceRequest | undefined> {
  let q = db.selectFrom('metric_audience_requests').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock && isPostgres(db)) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** The pending request of `metric`, if one waits (expired or not). */
export async function pendingMetricAudienceRequestOf(
  db: Executor,
  tenantId: string,
  metric: string,
): Promise<MetricAudienceRequest | undefined> {
  const row = await db
    .selectFrom('metric_audience_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('metric', '=', metric)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** A tenant's requests, newest first; `status` filters; at most `limit`. */
export async function listMetricAudienceRequests(
  db: Executor,
  tenantId: string,
  query: { readonly status?: MetricAudienceRequestStatus; readonly limit: number },
): Promise<MetricAudienceRequest[]> {
  let q = db.selectFrom('metric_audience_requests').selectAll().where('tenant_id', '=', tenantId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  return (await q.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute()).map(toRequest);
}

/** Settle a pending request; false when it was no longer pending (another decider came first). */
export async function settleMetricAudienceRequest(
  db: Executor,
  tenantId: string,
  id: string,
  s: {
    readonly status: Exclude<MetricAudienceRequestStatus, 'pending'>;
    readonly by: string;
    readonly at: string;
    readonly note: string | null;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('metric_audience_requests')
    .set({ status: s.status, decided_by: s.by, decided_at: s.at, decision_note: s.note })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * The approvals queue's window of pending requests not yet lapsed at `now`: request time, then id, in
 * code-unit order (`ApprovalsWindow`). A request is about no scheme or subject: a window filtered by
 * either is empty. Who may see them at all (a tenant-wide admin) is the caller's to decide.
 */
export async function pendingMetricAudienceRequestsWindow(
  db: Executor,
  tenantId: string,
  w: ApprovalsWindow,
  now: string,
): Promise<MetricAudienceRequest[]> {
  if (w.scheme !== undefined || w.subject !== undefined || w.beyondRole?.all) return [];
  const at = codeUnitOrder(db, sql.ref<string>('requested_at'));
  const id = codeUnitOrder(db, sql.ref<string>('id'));
  let q = db
    .selectFrom('metric_audience_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now);
  if (w.requestedAtOrBefore !== undefined) q = q.where('requested_at', '<=', w.requestedAtOrBefore);
  const by = requesterCondition(tenantId, sql.ref<string>('requested_by'), w);
  if (by) q = q.where(by);
  if (w.after !== undefined) q = q.where(afterPosition(at, id, w.after));
  return (await q.orderBy(at).orderBy(id).limit(w.limit).execute()).map(toRequest);
}

/** Whether any request waits undecided and unlapsed (a scheme- or subject-filtered queue has none). */
export async function anyPendingMetricAudienceRequest(db: Executor, tenantId: string, now: string): Promise<boolean> {
  const row = await db
    .selectFrom('metric_audience_requests')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
