import type { Explanation, Retention } from '@tierkit/core';
import type { LevelApprovalRow } from '../schema.js';
import { sql } from 'kysely';
import { afterPosition, codeUnitOrder, requesterCondition, type ApprovalsWindow } from './approvals-window.js';
import { atomically, type Executor } from './executor.js';
import { bumpSubjectVersions } from './subject-versions.js';

/**
 * Where a level's sign-off stands. `superseded`: the subject moved to another approval-required level
 * first; `withdrawn`: the customer was closed before anyone decided it.
 */
export const LEVEL_APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'superseded', 'withdrawn'] as const;
export type LevelApprovalStatus = (typeof LEVEL_APPROVAL_STATUSES)[number];

/** A request to sign off an approval-required level a subject was given. */
export interface LevelApproval {
  readonly id: string;
  readonly subjectId: string;
  /** External id of the subject. */
  readonly subject: string;
  readonly scheme: string;
  readonly level: string;
  readonly fromLevel: string | null;
  readonly period: string;
  readonly policyVersion: number;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly status: LevelApprovalStatus;
  readonly contentHash: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  /**
   * A lowering request's looser level, which data proposed while `level` stays in force until an
   * approver decides (docs/domain.md §4, "Lowering a sign-off level"); null: a sign-off of a level entered.
   */
  readonly proposedLevel: string | null;
  /** A lowering request's why: what decided the proposed level, on which figures, in which month. */
  readonly proposal: LevelProposal | null;
}

/** Why data proposed a lowering request's level, as it would have been stored had it taken effect. */
export interface LevelProposal {
  readonly period: string;
  readonly policyVersion: number;
  readonly explanation: Explanation;
  readonly retention: Retention | null;
}

function toLevelApproval(row: LevelApprovalRow & { external_id: string }): LevelApproval {
  return {
    id: row.id,
    subjectId: row.subject_id,
    subject: row.external_id,
    scheme: row.scheme,
    level: row.level,
    fromLevel: row.from_level,
    period: row.period,
    policyVersion: row.policy_version,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    status: row.status as LevelApprovalStatus,
    contentHash: row.content_hash,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    proposedLevel: row.proposed_level ?? null,
    proposal: row.proposal ? (JSON.parse(row.proposal) as LevelProposal) : null,
  };
}

function withSubject(db: Executor, tenantId: string) {
  return db
    .selectFrom('level_approvals')
    .innerJoin('subjects', (j) =>
      j.onRef('subjects.id', '=', 'level_approvals.subject_id').onRef('subjects.tenant_id', '=', 'level_approvals.tenant_id'),
    )
    .selectAll('level_approvals')
    .select('subjects.external_id')
    .where('level_approvals.tenant_id', '=', tenantId);
}

/** The pending sign-off of one subject's scheme, if any (there is at most one). */
export async function findPendingLevelApproval(
  db: Executor,
  tenantId: string,
  subjectId: string,
  scheme: string,
): Promise<LevelApproval | undefined> {
  const row = await withSubject(db, tenantId)
    .where('level_approvals.subject_id', '=', subjectId)
    .where('level_approvals.scheme', '=', scheme)
    .where('level_approvals.status', '=', 'pending')
    .executeTakeFirst();
  return row && toLevelApproval(row);
}

/**
 * The sign-off of one subject's scheme opened last, whatever its status: what a checker who had it
 * open is deciding when none is pending any more (a closing withdrew it, say).
 */
export async function findLatestLevelApproval(
  db: Executor,
  tenantId: string,
  subjectId: string,
  scheme: string,
): Promise<LevelApproval | undefined> {
  const row = await withSubject(db, tenantId)
    .where('level_approvals.subject_id', '=', subjectId)
    .where('level_approvals.scheme', '=', scheme)
    .orderBy('level_approvals.requested_at', 'desc')
    .orderBy('level_approvals.id', 'desc')
    .executeTakeFirst();
  return row && toLevelApproval(row);
}

/**
 * Pending sign-offs of the tenant's open customers, oldest first; optionally of one scheme or one
 * subject. A closing withdraws its customer's; one opened by a write that raced the closing waits for
 * nobody either, so a closed customer's never reaches the queue. `includeClosed`: a closed customer's
 * too — the closing itself reads them this way, holding the row it has just closed.
 */
export async function listPendingLevelApprovals(
  db: Executor,
  tenantId: string,
  filter: { readonly scheme?: string; readonly subjectId?: string; readonly includeClosed?: boolean } = {},
): Promise<LevelApproval[]> {
  let query = withSubject(db, tenantId).where('level_approvals.status', '=', 'pending');
  if (filter.includeClosed !== true) query = query.where('subjects.closed_at', 'is', null);
  if (filter.scheme !== undefined) query = query.where('level_approvals.scheme', '=', filter.scheme);
  if (filter.subjectId !== undefined) query = query.where('level_approvals.subject_id', '=', filter.subjectId);
  const rows = await query.orderBy('level_approvals.requested_at').orderBy('level_approvals.id').execute();
  return rows.map(toLevelApproval);
}

/**
 * One window of the approvals queue's pending sign-offs (open customers only, like
 * `listPendingLevelApprovals`): filtered, after a keyset position, oldest first then by the queue's
 * id of a sign-off (`subject:scheme`), at most `limit` rows. A re-tier of a large book leaves tens
 * of thousands pending; a page reads a page's worth.
 */
export async function pendingLevelApprovalsWindow(db: Executor, tenantId: string, w: ApprovalsWindow): Promise<LevelApproval[]> {
  const at = codeUnitOrder(db, sql.ref<string>('level_approvals.requested_at'));
  const id = codeUnitOrder(db, sql<string>`subjects.external_id || ':' || level_approvals.scheme`);
  let query = withSubject(db, tenantId).where('level_approvals.status', '=', 'pending').where('subjects.closed_at', 'is', null);
  if (w.scheme !== undefined) query = query.where('level_approvals.scheme', '=', w.scheme);
  if (w.notSchemes?.length) query = query.where('level_approvals.scheme', 'not in', [...w.notSchemes]);
  if (w.subject !== undefined) query = query.where('subjects.external_id', '=', w.subject);
  if (w.requestedAtOrBefore !== undefined) query = query.where(at, '<=', w.requestedAtOrBefore);
  const by = requesterCondition(tenantId, sql.ref<string>('level_approvals.requested_by'), w);
  if (by) query = query.where(by);
  const beyond = w.beyondRole;
  if (beyond?.all) return [];
  if (beyond?.loweringSchemes.length)
    query = query.where((eb) =>
      eb.or([eb('level_approvals.proposed_level', 'is', null), eb('level_approvals.scheme', 'not in', [...beyond.loweringSchemes])]),
    );
  const after = w.after;
  if (after !== undefined) query = query.where(afterPosition(at, id, after));
  const rows = await query.orderBy(at).orderBy(id).limit(w.limit).execute();
  return rows.map(toLevelApproval);
}

/** Whether an open customer's sign-off is pending, of a scheme or of a subject (external id). */
export async function anyPendingLevelApproval(
  db: Executor,
  tenantId: string,
  of: { readonly scheme?: string; readonly subject?: string },
): Promise<boolean> {
  let query = withSubject(db, tenantId).where('level_approvals.status', '=', 'pending').where('subjects.closed_at', 'is', null);
  if (of.scheme !== undefined) query = query.where('level_approvals.scheme', '=', of.scheme);
  if (of.subject !== undefined) query = query.where('subjects.external_id', '=', of.subject);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** Store a new pending sign-off. */
export async function insertLevelApproval(
  db: Executor,
  tenantId: string,
  a: Omit<LevelApproval, 'subject' | 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote' | 'proposedLevel' | 'proposal'> &
    Partial<Pick<LevelApproval, 'proposedLevel' | 'proposal'>>,
): Promise<void> {
  await db
    .insertInto('level_approvals')
    .values({
      id: a.id,
      tenant_id: tenantId,
      subject_id: a.subjectId,
      scheme: a.scheme,
      level: a.level,
      from_level: a.fromLevel,
      period: a.period,
      policy_version: a.policyVersion,
      requested_by: a.requestedBy,
      requested_at: a.requestedAt,
      status: 'pending',
      content_hash: a.contentHash,
      decided_by: null,
      decided_at: null,
      decision_note: null,
      proposed_level: a.proposedLevel ?? null,
      proposal: a.proposal ? JSON.stringify(a.proposal) : null,
    })
    .execute();
}

/**
 * Decide a pending sign-off, only if it is still pending with `expectedHash` (one statement, so two
 * deciders racing cannot both succeed). Returns whether it changed.
 */
export async function decideLevelApproval(
  db: Executor,
  tenantId: string,
  id: string,
  expectedHash: string,
  decision: {
    readonly status: Exclude<LevelApprovalStatus, 'pending'>;
    readonly by: string;
    readonly at: string;
    readonly note: string | null;
    /** A closing's withdrawal: the closing (`subject_closings.id`) that withdrew it. */
    readonly closing?: string;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('level_approvals')
    .set({
      status: decision.status,
      decided_by: decision.by,
      decided_at: decision.at,
      decision_note: decision.note,
      withdrawn_by_closing: decision.closing ?? null,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('content_hash', '=', expectedHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Mark whether a subject's current assignment in `scheme` waits for a sign-off (what reads show as
 * `approvalRequired`), moving the subject's version unless `bump` is false: a closing moves it once
 * with its own write of the row, however many sign-offs it withdraws.
 */
export async function setAssignmentPending(
  db: Executor,
  tenantId: string,
  subjectId: string,
  scheme: string,
  pending: boolean,
  { bump = true }: { readonly bump?: boolean } = {},
): Promise<void> {
  await atomically(db, async (trx) => {
    await trx
      .updateTable('assignments')
      .set({ approval_required: pending ? 1 : 0 })
      .where('tenant_id', '=', tenantId)
      .where('subject_id', '=', subjectId)
      .where('scheme', '=', scheme)
      .execute();
    if (bump) await bumpSubjectVersions(trx, [subjectId]);
  });
}

/** Whether a sign-off newer than `l` (by request time, then id) exists of the same subject and scheme. */
const newerThanL = sql<boolean>`EXISTS (SELECT 1 FROM level_approvals n
  WHERE n.tenant_id = l.tenant_id AND n.subject_id = l.subject_id AND n.scheme = l.scheme
    AND (n.requested_at > l.requested_at OR (n.requested_at = l.requested_at AND n.id > l.id)))`;

/**
 * Whether a sign-off newer than `l` exists that still stands: a lowering request not decided (pending,
 * superseded, withdrawn) has not changed the word on the held level, which the sign-off before it keeps.
 */
const standingNewerThanL = sql<boolean>`EXISTS (SELECT 1 FROM level_approvals n
  WHERE n.tenant_id = l.tenant_id AND n.subject_id = l.subject_id AND n.scheme = l.scheme
    AND NOT (n.proposed_level IS NOT NULL AND n.status NOT IN ('approved', 'rejected'))
    AND (n.requested_at > l.requested_at OR (n.requested_at = l.requested_at AND n.id > l.id)))`;
const standingL = sql<boolean>`NOT (l.proposed_level IS NOT NULL AND l.status NOT IN ('approved', 'rejected'))`;

/** What the sign-off rule reads of a subject's scheme: the sign-off pending, and the newest whatever its status. */
export interface SchemeSignOffs {
  readonly pending: Map<string, LevelApproval>;
  readonly latest: Map<string, LevelApproval>;
  /** The newest that still stands: the newest but lowering requests no approver decided (they changed nothing). */
  readonly standing: Map<string, LevelApproval>;
}

/**
 * For each of `subjects` (one id, or a re-tier chunk's few), by scheme, the pending sign-off and the
 * newest one whatever its status: whether the level a customer has now was decided by an approver
 * (approved or rejected), or what a closing withdrew. One statement however many subjects.
 */
export async function signOffsOf(db: Executor, tenantId: string, subjects: readonly string[]): Promise<Map<string, SchemeSignOffs>> {
  const out = new Map<string, SchemeSignOffs>();
  if (subjects.length === 0) return out;
  const rows = await db
    .selectFrom('level_approvals as l')
    .innerJoin('subjects', (j) => j.onRef('subjects.id', '=', 'l.subject_id').onRef('subjects.tenant_id', '=', 'l.tenant_id'))
    .selectAll('l')
    .select('subjects.external_id')
    .select(sql<boolean | number>`NOT ${newerThanL}`.as('newest'))
    .select(sql<boolean | number>`(${standingL} AND NOT ${standingNewerThanL})`.as('standing'))
    .where('l.tenant_id', '=', tenantId)
    .where('l.subject_id', 'in', subjects)
    .where(sql<boolean>`(l.status = 'pending' OR NOT ${newerThanL} OR (${standingL} AND NOT ${standingNewerThanL}))`)
    .execute();
  // SQLite answers 0/1, PostgreSQL a boolean.
  const yes = (v: boolean | number) => v === true || Number(v) === 1;
  for (const row of rows) {
    let of = out.get(row.subject_id);
    if (!of) out.set(row.subject_id, (of = { pending: new Map(), latest: new Map(), standing: new Map() }));
    const a = toLevelApproval(row);
    if (a.status === 'pending') of.pending.set(a.scheme, a);
    if (yes(row.newest)) of.latest.set(a.scheme, a);
    if (yes(row.standing)) of.standing.set(a.scheme, a);
  }
  return out;
}

/** The levels a policy marks `approvalRequired`, by scheme. */
export type ApprovalRequiredLevels = ReadonlyMap<string, readonly string[]>;

/**
 * The subjects with ids in `first … last` (a re-tier chunk) whose level in some scheme is one of
 * `required` and is neither pending a sign-off of that level nor signed off by an approver (the
 * newest sign-off of the scheme approved or rejected at that level) — a sign-off a closing
 * withdrew before a reopening, a level stored by a release that opened sign-offs only on moves — and
 * those with a sign-off pending of another level than the one they have. One statement for the
 * chunk: in a settled book it finds nobody, and the chunk needs no per-customer read of sign-offs.
 */
export async function unsettledSignOffsInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
  required: ApprovalRequiredLevels,
): Promise<Set<string>> {
  const pairs = [...required].filter(([, levels]) => levels.length > 0);
  const stale = db
    .selectFrom('level_approvals as p')
    .innerJoin('assignments as a', (j) =>
      j.onRef('a.tenant_id', '=', 'p.tenant_id').onRef('a.subject_id', '=', 'p.subject_id').onRef('a.scheme', '=', 'p.scheme'),
    )
    .select('p.subject_id')
    .where('p.tenant_id', '=', tenantId)
    .where('p.status', '=', 'pending')
    .where('p.subject_id', '>=', first)
    .where('p.subject_id', '<=', last)
    .whereRef('p.level', '<>', 'a.level');
  const found = new Set((await stale.execute()).map((r) => r.subject_id));
  if (pairs.length === 0) return found;
  const missing = await db
    .selectFrom('assignments as a')
    .select('a.subject_id')
    .where('a.tenant_id', '=', tenantId)
    .where('a.subject_id', '>=', first)
    .where('a.subject_id', '<=', last)
    .where((eb) => eb.or(pairs.map(([scheme, levels]) => eb.and([eb('a.scheme', '=', scheme), eb('a.level', 'in', levels)]))))
    .where(
      sql<boolean>`NOT EXISTS (SELECT 1 FROM level_approvals l
        WHERE l.tenant_id = a.tenant_id AND l.subject_id = a.subject_id AND l.scheme = a.scheme AND l.level = a.level
          AND (l.status = 'pending' OR (l.status IN ('approved', 'rejected') AND NOT ${newerThanL})))`,
    )
    .execute();
  for (const r of missing) found.add(r.subject_id);
  return found;
}
