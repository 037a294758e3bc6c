import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { StaffGrantTable } from '../schema.js';
import { afterPosition, codeUnitOrder, requesterCondition, type ApprovalsWindow } from './approvals-window.js';
import { isPostgres, type Executor } from './executor.js';

/**
 * Where a staff grant stands. A pending one past its expiry reads as expired, and is stored so once
 * another is asked for the member. `superseded`: the operator's break-glass (`tierkit staff`) changed
 * the member meanwhile, so the grant no longer says what a second admin would be approving.
 */
export const STAFF_GRANT_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'expired', 'superseded'] as const;
export type StaffGrantStatus = (typeof STAFF_GRANT_STATUSES)[number];

/** What a staff member held, or is to hold. */
export interface StaffPowers {
  readonly role: string;
  readonly scope: string;
}

/**
 * A team grant's change (migration 2026-12-20T00-00-10-team-grants): its lead named (with the name
 * the team is to have) or books added to a team that has a lead. `from` is the team as the maker saw
 * it, null when it did not exist yet.
 */
export interface StaffGrantTeam {
  readonly id: string;
  readonly from: { readonly lead: string | null } | null;
  readonly to: { readonly name: string; readonly lead: string } | { readonly add: string[] };
}

/**
 * A change that grants a staff member power, waiting for (or decided by) a second admin: powers
 * (`team` null), or reach over a team's books (`team`: `staffId` is the lead whose reach widens, and
 * `from`/`to` what they hold, unchanged).
 */
export interface StaffGrant {
  readonly tenantId: string;
  readonly id: string;
  readonly staffId: string;
  readonly name: string;
  /** What the member held when it was asked; null: a new member. */
  readonly from: (StaffPowers & { readonly disabledAt: string | null }) | null;
  readonly to: StaffPowers;
  readonly status: StaffGrantStatus;
  readonly contentHash: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  readonly team: StaffGrantTeam | null;
}

function toGrant(r: Selectable<StaffGrantTable>): StaffGrant {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    staffId: r.staff_id,
    name: r.name,
    from: r.from_role === null || r.from_scope === null ? null : { role: r.from_role, scope: r.from_scope, disabledAt: r.from_disabled_at },
    to: { role: r.to_role, scope: r.to_scope },
    status: r.status as StaffGrantStatus,
    contentHash: r.content_hash,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    team:
      r.team_id === null
        ? null
        : { id: r.team_id, from: r.team_from === null ? null : JSON.parse(r.team_from), to: JSON.parse(r.team_to ?? '{}') },
  };
}

/**
 * File a grant (status `pending`). A second pending grant of powers of the same member, or a second
 * pending grant of the same team, violates a unique index.
 */
export async function insertStaffGrant(
  db: Executor,
  g: Omit<StaffGrant, 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote' | 'team'> & { readonly team?: StaffGrantTeam },
): Promise<StaffGrant> {
  await db
    .insertInto('staff_grants')
    .values({
      id: g.id,
      tenant_id: g.tenantId,
      staff_id: g.staffId,
      name: g.name,
      from_role: g.from?.role ?? null,
      from_scope: g.from?.scope ?? null,
      from_disabled_at: g.from?.disabledAt ?? null,
      to_role: g.to.role,
      to_scope: g.to.scope,
      status: 'pending',
      content_hash: g.contentHash,
      requested_by: g.requestedBy,
      requested_at: g.requestedAt,
      expires_at: g.expiresAt,
      team_id: g.team?.id ?? null,
      team_from: g.team?.from ? JSON.stringify(g.team.from) : null,
      team_to: g.team ? JSON.stringify(g.team.to) : null,
    })
    .execute();
  const stored = await findStaffGrant(db, g.tenantId, g.id);
  if (!stored) throw new Error(`staff grant ${g.id} not stored`);
  return stored;
}

/** One grant of a tenant; `lock` holds its row until the transaction ends on PostgreSQL (SQLite's writer holds the file). */
export async function findStaffGrant(db: Executor, tenantId: string, id: string, lock = false): Promise<StaffGrant | undefined> {
  let q = db.selectFrom('staff_grants').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock && isPostgres(db)) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toGrant(row) : undefined;
}

/** The pending grant of powers of staff member `staffId`, if one waits (expired or not); team grants aside. */
export async function pendingStaffGrantOf(db: Executor, tenantId: string, staffId: string): Promise<StaffGrant | undefined> {
  const row = await db
    .selectFrom('staff_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('team_id', 'is', null)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row ? toGrant(row) : undefined;
}

/** The pending grant of team `teamId`, if one waits (expired or not). */
export async function pendingTeamGrantOf(db: Executor, tenantId: string, teamId: string): Promise<StaffGrant | undefined> {
  const row = await db
    .selectFrom('staff_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('team_id', '=', teamId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row ? toGrant(row) : undefined;
}

/** A tenant's grants, newest first: `status` and `staffId` filter; at most `limit`. */
export async function listStaffGrants(
  db: Executor,
  tenantId: string,
  query: { readonly status?: StaffGrantStatus; readonly staffId?: string; readonly limit: number },
): Promise<StaffGrant[]> {
  let q = db.selectFrom('staff_grants').selectAll().where('tenant_id', '=', tenantId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.staffId !== undefined) q = q.where('staff_id', '=', query.staffId);
  return (await q.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute()).map(toGrant);
}

/**
 * The approvals queue's window of pending grants not yet expired at `now`: request time, then id, in
 * code-unit order (`ApprovalsWindow`). A grant is about no scheme or subject: a window filtered by
 * either is empty.
 */
export async function pendingStaffGrantsWindow(
  db: Executor,
  tenantId: string,
  w: ApprovalsWindow,
  now: string,
  seen: GrantViewer = { decider: true },
): Promise<StaffGrant[]> {
  if (w.scheme !== undefined || w.subject !== undefined || w.beyondRole?.all) return [];
  const at = codeUnitOrder(db, sql.ref<string>('requested_at'));
  const id = codeUnitOrder(db, sql.ref<string>('id'));
  let q = db
    .selectFrom('staff_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now);
  q = q.where(grantsSeenBy(seen));
  if (w.requestedAtOrBefore !== undefined) q = q.where('requested_at', '<=', w.requestedAtOrBefore);
  // A grant's requesters are its maker and the member it promotes (four eyes bars both).
  const by = requesterCondition(tenantId, sql.ref<string>('requested_by'), w);
  const promoted = requesterCondition(tenantId, sql<string>`'staff:' || staff_id`, w);
  if (by && promoted && w.requesters && 'only' in w.requesters) q = q.where(sql<SqlBool>`(${by} OR ${promoted})`);
  else if (by && promoted) q = q.where(by).where(promoted);
  if (w.after !== undefined) q = q.where(afterPosition(at, id, w.after));
  return (await q.orderBy(at).orderBy(id).limit(w.limit).execute()).map(toGrant);
}

/**
 * Whose pending grants a queue reader sees: a tenant-wide admin (`decider`) every one but those that
 * promote them (`staffId`); anyone else only those they asked for, as the same person (`actor`, or
 * their staff id with any key they own) — four eyes compares people (packages/api/README.md, "Four eyes").
 */
export type GrantViewer =
  | { readonly decider: true; readonly staffId?: string }
  | { readonly decider: false; readonly actor: string; readonly staffId?: string };

function grantsSeenBy(seen: GrantViewer): Expression<SqlBool> {
  if (seen.decider) return seen.staffId === undefined ? sql<SqlBool>`1 = 1` : sql<SqlBool>`staff_id <> ${seen.staffId}`;
  if (seen.staffId === undefined) return sql<SqlBool>`requested_by = ${seen.actor}`;
  return sql<SqlBool>`(requested_by = ${seen.actor} OR requested_by = ${`staff:${seen.staffId}`}
    OR requested_by IN (SELECT 'key:' || k.id FROM api_keys k WHERE k.tenant_id = staff_grants.tenant_id AND k.staff_id = ${seen.staffId}))`;
}

/** Whether any grant waits undecided and unexpired (a scheme- or subject-filtered queue has none). */
export async function anyPendingStaffGrant(
  db: Executor,
  tenantId: string,
  now: string,
  seen: GrantViewer = { decider: true },
): Promise<boolean> {
  const row = await db
    .selectFrom('staff_grants')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .where(grantsSeenBy(seen))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Settle a pending grant; false when it was no longer pending (someone decided it first). */
export async function settleStaffGrant(
  db: Executor,
  tenantId: string,
  id: string,
  settled: {
    readonly status: Exclude<StaffGrantStatus, 'pending'>;
    readonly by: string;
    readonly at: string;
    readonly note: string | null;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('staff_grants')
    .set({ status: settled.status, decided_by: settled.by, decided_at: settled.at, decision_note: settled.note })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Settle the member's pending grant (lapsed or not) as `superseded` by `by`, in the caller's
 * transaction: the operator's break-glass changed them, and a grant asked against what they held
 * before would otherwise sit in the queue (and block a new one) until someone rejects it. The grant's
 * id, or undefined when none waited.
 */
export async function supersedeStaffGrantOf(
  db: Executor,
  tenantId: string,
  staffId: string,
  by: string,
  at: string,
  note = 'superseded: the operator changed this staff member directly (tierkit staff, break-glass)',
): Promise<string | undefined> {
  const waiting = await pendingStaffGrantOf(db, tenantId, staffId);
  if (waiting === undefined) return undefined;
  return (await settleStaffGrant(db, tenantId, waiting.id, { status: 'superseded', by, at, note })) ? waiting.id : undefined;
}

/**
 * Settle team `teamId`'s pending grant (lapsed or not) as `superseded` by `by`, in the caller's
 * transaction: a change applied at once (a lead removed, a book taken out, the operator's break-glass)
 * contradicts what it asked. The grant's id, or undefined when none waited.
 */
export async function supersedeTeamGrantOf(
  db: Executor,
  tenantId: string,
  teamId: string,
  by: string,
  at: string,
  note: string,
): Promise<string | undefined> {
  const waiting = await pendingTeamGrantOf(db, tenantId, teamId);
  if (waiting === undefined) return undefined;
  return (await settleStaffGrant(db, tenantId, waiting.id, { status: 'superseded', by, at, note })) ? waiting.id : undefined;
}

/**
 * Settle as `superseded` every pending team grant (lapsed or not) that names staff member `staffId`
 * as the lead, in the caller's transaction: their powers changed at once (a demotion, the whole bank,
 * disabled), so the grant — asked against what they held — could never be approved, yet would block
 * every new change of its team until someone rejected it. The grants' ids.
 */
export async function supersedeTeamGrantsLedBy(
  db: Executor,
  tenantId: string,
  staffId: string,
  by: string,
  at: string,
  note: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_grants')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('staff_id', '=', staffId)
    .where('team_id', 'is not', null)
    .where('status', '=', 'pending')
    .execute();
  const done: string[] = [];
  for (const r of rows) if (await settleStaffGrant(db, tenantId, r.id, { status: 'superseded', by, at, note })) done.push(r.id);
  return done;
}
