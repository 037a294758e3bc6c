import { sql } from 'kysely';
import { afterPosition, codeUnitOrder, requesterCondition, type ApprovalsWindow } from './approvals-window.js';
import { isPostgres, type Executor } from './executor.js';

/**
 * Where a closing request stands. `lapsed`: nobody decided it within CLOSING_REQUEST_LAPSE_DAYS of its
 * filing. A pending row past that is lapsed to every read and decision before anything writes it so
 * (closing-lapse.ts in the API), so the status stored says less than the one shown.
 */
export const CLOSING_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'lapsed'] as const;
export type ClosingRequestStatus = (typeof CLOSING_REQUEST_STATUSES)[number];

/** A closing dated far back, filed by one person and waiting for (or decided by) another. */
export interface ClosingRequest {
  readonly tenantId: string;
  readonly id: string;
  readonly subjectId: string;
  /** The customer's number and name, read with the request. */
  readonly externalId: string;
  readonly displayName: string;
  /** The date the closing gives, as asked (ISO UTC). */
  readonly at: string;
  readonly late: boolean;
  readonly reason: string;
  readonly status: ClosingRequestStatus;
  readonly contentHash: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
}

function withSubject(db: Executor, tenantId: string) {
  return db
    .selectFrom('closing_requests as cr')
    .innerJoin('subjects', (j) => j.onRef('subjects.tenant_id', '=', 'cr.tenant_id').onRef('subjects.id', '=', 'cr.subject_id'))
    .selectAll('cr')
    .select(['subjects.external_id', 'subjects.display_name'])
    .where('cr.tenant_id', '=', tenantId);
}

type Row = Awaited<ReturnType<ReturnType<typeof withSubject>['executeTakeFirstOrThrow']>>;

function toRequest(r: Row): ClosingRequest {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    subjectId: r.subject_id,
    externalId: r.external_id,
    displayName: r.display_name,
    at: r.at,
    late: Number(r.late) === 1,
    reason: r.reason,
    status: r.status as ClosingRequestStatus,
    contentHash: r.content_hash,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
  };
}

/** File a request (status `pending`). A second pending one for the same customer violates a unique index. */
export async function insertClosingRequest(
  db: Executor,
  r: Pick<ClosingRequest, 'tenantId' | 'id' | 'subjectId' | 'at' | 'late' | 'reason' | 'contentHash' | 'requestedBy' | 'requestedAt'>,
): Promise<ClosingRequest> {
  await db
    .insertInto('closing_requests')
    .values({
      id: r.id,
      tenant_id: r.tenantId,
      subject_id: r.subjectId,
      at: r.at,
      late: r.late ? 1 : 0,
      reason: r.reason,
      status: 'pending',
      content_hash: r.contentHash,
      requested_by: r.requestedBy,
      requested_at: r.requestedAt,
    })
    .execute();
  const stored = await findClosingRequest(db, r.tenantId, r.id);
  if (!stored) throw new Error(`closing request ${r.id} not stored`);
  return stored;
}

/** One request of a tenant; `lock` holds its row until the transaction ends on PostgreSQL (SQLite's writer holds the file). */
export async function findClosingRequest(db: Executor, tenantId: string, id: string, lock = false): Promise<ClosingRequest | undefined> {
  let q = withSubject(db, tenantId).where('cr.id', '=', id);
  if (lock && isPostgres(db)) q = q.forUpdate('cr');
  const row = await q.executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** The pending request of a customer (internal id), if one waits: stored pending, lapsed or not (the caller tells). */
export async function pendingClosingRequestOf(db: Executor, tenantId: string, subjectId: string): Promise<ClosingRequest | undefined> {
  const row = await withSubject(db, tenantId).where('cr.subject_id', '=', subjectId).where('cr.status', '=', 'pending').executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/**
 * Requests stored pending though filed at or before `filedAtOrBefore` (lapsed by then), of one customer
 * (internal id) or the whole tenant, in filing order; held for the caller's transaction on PostgreSQL.
 * The whole tenant's (the retention run's sweep) leaves out a row another transaction holds: a subjects
 * import holds the row of a customer it closes from mid-file to its commit, and takes the next
 * customer's after, so a sweep holding that next row in filing order while it waited for the first
 * made a cycle (PostgreSQL aborts one). The holder is settling that row; if it is still pending after,
 * the next run records it.
 */
export async function lapsedPendingClosingRequests(
  db: Executor,
  tenantId: string,
  filedAtOrBefore: string,
  subjectId?: string,
): Promise<ClosingRequest[]> {
  let q = withSubject(db, tenantId).where('cr.status', '=', 'pending').where('cr.requested_at', '<=', filedAtOrBefore);
  if (subjectId !== undefined) q = q.where('cr.subject_id', '=', subjectId);
  if (isPostgres(db)) q = subjectId === undefined ? q.forUpdate('cr').skipLocked() : q.forUpdate('cr');
  return (await q.orderBy('cr.requested_at').orderBy('cr.id').execute()).map(toRequest);
}

/** A customer's requests (external id), the latest filed first, at most `limit`; `requestedBy` narrows to those actors'. */
export async function closingRequestsOfSubject(
  db: Executor,
  tenantId: string,
  externalId: string,
  limit: number,
  requestedBy?: readonly string[],
): Promise<ClosingRequest[]> {
  let q = withSubject(db, tenantId).where('subjects.external_id', '=', externalId);
  if (requestedBy !== undefined) q = requestedBy.length ? q.where('cr.requested_by', 'in', [...requestedBy]) : q.where(sql<boolean>`1 = 0`);
  return (await q.orderBy('cr.requested_at', 'desc').orderBy('cr.id', 'desc').limit(limit).execute()).map(toRequest);
}

/** Settle a pending request; false when it was no longer pending (another decider came first). */
export async function settleClosingRequest(
  db: Executor,
  tenantId: string,
  id: string,
  s: { readonly status: Exclude<ClosingRequestStatus, 'pending'>; readonly by: string; readonly at: string; readonly note: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('closing_requests')
    .set({ status: s.status, decided_by: s.by, decided_at: s.at, decision_note: s.note })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * The approvals queue's window of pending closing requests: request time, then id, in code-unit order
 * (`ApprovalsWindow`). About a customer, no scheme: a window filtered by a scheme is empty. Who may see
 * them at all is the caller's to decide (`requesters` narrows to the caller's own).
 */
export async function pendingClosingRequestsWindow(
  db: Executor,
  tenantId: string,
  w: ApprovalsWindow,
  /** Requests filed at or before it have lapsed: no longer the queue's (closing-lapse.ts). */
  lapsedAtOrBefore: string,
): Promise<ClosingRequest[]> {
  if (w.scheme !== undefined || w.beyondRole?.all) return [];
  const at = codeUnitOrder(db, sql.ref<string>('cr.requested_at'));
  const id = codeUnitOrder(db, sql.ref<string>('cr.id'));
  let q = withSubject(db, tenantId).where('cr.status', '=', 'pending').where('cr.requested_at', '>', lapsedAtOrBefore);
  if (w.subject !== undefined) q = q.where('subjects.external_id', '=', w.subject);
  if (w.requestedAtOrBefore !== undefined) q = q.where('cr.requested_at', '<=', w.requestedAtOrBefore);
  const by = requesterCondition(tenantId, sql.ref<string>('cr.requested_by'), w);
  if (by) q = q.where(by);
  if (w.after !== undefined) q = q.where(afterPosition(at, id, w.after));
  return (await q.orderBy(at).orderBy(id).limit(w.limit).execute()).map(toRequest);
}

/** Whether a closing request waits, of a customer (external id) or any; a scheme-filtered queue has none. */
export async function anyPendingClosingRequest(
  db: Executor,
  tenantId: string,
  of: { readonly scheme?: string; readonly subject?: string },
  lapsedAtOrBefore: string,
  requestedBy?: readonly string[],
): Promise<boolean> {
  if (of.scheme !== undefined) return false;
  let q = withSubject(db, tenantId).where('cr.status', '=', 'pending').where('cr.requested_at', '>', lapsedAtOrBefore);
  if (of.subject !== undefined) q = q.where('subjects.external_id', '=', of.subject);
  if (requestedBy !== undefined) q = requestedBy.length ? q.where('cr.requested_by', 'in', [...requestedBy]) : q.where(sql<boolean>`1 = 0`);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}
