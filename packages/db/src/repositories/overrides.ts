import type { OverrideInfo, OverrideMode, OverrideOutcome, OverrideReasonCategory } from '@tierkit/core';
import { sql, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, OverrideRow } from '../schema.js';
import { atomically, isPostgres, rangeTenant, reusableQuery, type Executor } from './executor.js';
import { bumpSubjectVersions } from './subject-versions.js';
import { approvedNotRevoked } from './approved-override.js';
import { afterPosition, codeUnitOrder, requesterCondition, type ApprovalsWindow } from './approvals-window.js';
import { bookIds, type Books } from './staff.js';

function toOverride(row: OverrideRow): OverrideInfo {
  return {
    id: row.id,
    scheme: row.scheme,
    level: row.level,
    mode: row.mode as OverrideMode,
    reason: row.reason,
    ...(row.reason_category != null ? { reasonCategory: row.reason_category as OverrideReasonCategory } : {}),
    ...(row.evidence != null ? { evidence: row.evidence } : {}),
    expiresAt: row.expires_at,
    requestedBy: row.requested_by,
    approvedBy: row.approved_by,
  };
}

/** An override in force and when it was approved (ISO 8601 UTC). */
export interface ApprovedOverride {
  readonly override: OverrideInfo;
  /**
   * When it was approved: the instant it began to decide (four eyes). A request waits for its approver,
   * so a month that ended in between was not decided by it. Rows approved before decisions were
   * recorded read their creation, as {@link overrideInForceAt} does.
   */
  readonly approvedAt: string;
  /** The approver's note: the tier event the approval causes carries it (what the checker said, beside who). */
  readonly decisionNote?: string | null;
}

/** The override of a scheme in force now (the one approved last) and when it was approved. */
export interface DatedOverride extends ApprovedOverride {
  /**
   * The scheme's other overrides in force now, approved before it, the latest first: a month that
   * closed before this one was approved was decided by the first of them approved by then.
   */
  readonly earlier: readonly ApprovedOverride[];
}

/** Rows ordered by {@link lastApproved}: per scheme, the first decides now, the rest are its `earlier`. */
function datedByScheme(rows: readonly OverrideRow[]): DatedOverride[] {
  const byScheme = new Map<string, DatedOverride & { earlier: ApprovedOverride[] }>();
  for (const row of rows) {
    const approved = { override: toOverride(row), approvedAt: row.decided_at ?? row.created_at, decisionNote: row.decision_note };
    const head = byScheme.get(row.scheme);
    if (head) head.earlier.push(approved);
    else byScheme.set(row.scheme, { ...approved, earlier: [] });
  }
  return [...byScheme.values()];
}

/** Approved, not revoked, not expired at `now`: an override in force for a read now ({@link overrideInForceAt}). */
function inForce(eb: ExpressionBuilder<Database, 'overrides'>, now: string) {
  return eb.and([approvedNotRevoked(), notEndedAt(now)]);
}

/** Neither revoked nor expired at or before `at`: an override's end is the first instant it no longer decides. */
function notEndedAt(at: string, alias?: 'o') {
  const column = (name: string) => sql.ref(alias === undefined ? name : `${alias}.${name}`);
  return sql<SqlBool>`((${column('revoked_at')} IS NULL OR ${column('revoked_at')} > ${at}) AND (${column('expires_at')} IS NULL OR ${column('expires_at')} > ${at}))`;
}

/**
 * When an override must be in force to decide a month (ISO 8601 UTC): the month's close, or now while
 * it runs. Both bounds strict, as the engine decides a month (packages/api/src/services/reevaluate.ts,
 * evaluate-periods.ts): an override approved at the month's end decides the months after it, not this
 * one, and one expiring or revoked at that instant no longer holds it.
 */
export interface InForceInstant {
  /** Not revoked nor expired at or before it: the first instant after the month, or now if sooner. */
  readonly at: string;
  /** Approved strictly before it: the first instant after the month (so approved now is in force now). */
  readonly approvedBefore: string;
}

/**
 * In force at {@link InForceInstant} (a revocation after it does not reach back): the one at-instant
 * check. A read at `now` ({@link inForce}) needs no bound on the approval: every approval is by now.
 */
function overrideInForceAt(when: InForceInstant, alias?: 'o') {
  const column = (name: string) => sql.ref(alias === undefined ? name : `${alias}.${name}`);
  return sql<SqlBool>`(${column('approved_by')} IS NOT NULL
    AND ${column('status')} IN (${'approved'}, ${'revoked'})
    AND coalesce(${column('decided_at')}, ${column('created_at')}) < ${when.approvedBefore}
    AND ${notEndedAt(when.at, alias)})`;
}

/**
 * The level of the override of `scheme` that decides `subjectId` at `when` ({@link overrideInForceAt};
 * of several in force, the one approved last: {@link lastApproved}), as a scalar subquery: null when
 * none is in force. A floor decides only at its own level: above it the rules do.
 */
export function decidingOverrideLevelAt(
  tenantId: string,
  scheme: string,
  subjectId: RawBuilder<unknown>,
  when: InForceInstant,
): RawBuilder<string | null> {
  return sql<string | null>`(SELECT o.level FROM overrides o WHERE o.subject_id = ${subjectId} AND o.scheme = ${scheme}
    AND o.tenant_id = ${tenantId} AND ${overrideInForceAt(when, 'o')} ORDER BY ${lastApproved('o')} LIMIT 1)`;
}

/**
 * When several approved overrides of one scheme are in force, the one approved last decides: an
 * approval takes effect at once (packages/api/README.md, "Four eyes"), whenever its request was made.
 * Rows approved before decisions were recorded fall back to their creation; ties to the newer request.
 */
function lastApproved(alias?: 'o') {
  const column = (name: string) => sql.ref(alias === undefined ? name : `${alias}.${name}`);
  return sql`coalesce(${column('decided_at')}, ${column('created_at')}) desc, ${column('created_at')} desc, ${column('id')} desc`;
}

// Built once: every tiers read asks.
const activeOverrideRows = reusableQuery((db, tenantId: string, subjectId: string, now: string) =>
  db
    .selectFrom('overrides')
    .selectAll()
    // Not by the tenant's index: it would read every approved override of the tenant (see rangeTenant).
    .where(rangeTenant(tenantId))
    .where('subject_id', '=', subjectId)
    .where((eb) => inForce(eb, now))
    .orderBy(lastApproved()),
);

/**
 * Overrides in force for a subject at `now` with their approval instants: approved, not revoked,
 * not expired. One per scheme — the one approved last, if several were ({@link lastApproved}) — with
 * the others in force as its `earlier`.
 */
export async function listActiveDatedOverrides(db: Executor, tenantId: string, subjectId: string, now: string): Promise<DatedOverride[]> {
  return datedByScheme(await activeOverrideRows(db, tenantId, subjectId, now));
}

/**
 * Overrides in force for a subject at `now`: approved, not revoked, not expired. One per scheme —
 * the one approved last, if several were.
 */
export async function listActiveOverrides(db: Executor, tenantId: string, subjectId: string, now: string): Promise<OverrideInfo[]> {
  return (await listActiveDatedOverrides(db, tenantId, subjectId, now)).map((d) => d.override);
}

/**
 * An override whose expiry nothing has acted on, past which its scheme has not been evaluated: the
 * level stored may still be the override's. `o` names the override row (an alias, or the table an
 * update changes), `a` its scheme's assignment (joined, or in a subquery). The one statement of it: what a read finds lapsed,
 * what the sweep lists and what a settling claims must agree, or a settling would name an override a
 * read never saw lapsed, or leave one a read keeps finding.
 */
function lapsedAfterEvaluation(o: 'o' | 'overrides'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${o}.expiry_settled_at`)} is null and ${sql.ref('a.evaluated_at')} < ${sql.ref(`${o}.expires_at`)})`;
}

/**
 * Mark the subject's approved overrides that expired by `now`, after their scheme was last evaluated
 * ({@link lapsedAfterEvaluation}), as acted on, and answer the ids of those that were not yet (none:
 * another caller did it): the caller then re-evaluates the subject in the same transaction. A
 * conditional update, so of two callers at once (two reads, a read and the sweep) one acts; on PostgreSQL the second
 * waits on the rows, then finds them marked.
 */
export async function claimExpiredOverrides(trx: Executor, tenantId: string, subjectId: string, now: string): Promise<string[]> {
  const rows = await trx
    .updateTable('overrides')
    .set({ expiry_settled_at: now })
    // By the subject's index, not the tenant's (see rangeTenant).
    .where(rangeTenant(tenantId))
    .where('subject_id', '=', subjectId)
    .where(approvedNotRevoked())
    .where('expires_at', '<=', now)
    // Also said on the row itself, not only inside the condition below: a second caller on PostgreSQL,
    // having waited on the rows, rechecks this against the row the first one marked.
    .where('expiry_settled_at', 'is', null)
    // Only those lapsed as a read finds them: one a write's re-evaluation already passed was acted on
    // by that write, and the settling's record must not name it. Left unmarked, it never counts as
    // lapsed again (evaluations only move on).
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('assignments as a')
          .select('a.scheme')
          .whereRef('a.subject_id', '=', 'overrides.subject_id')
          .whereRef('a.scheme', '=', 'overrides.scheme')
          .where(lapsedAfterEvaluation('overrides')),
      ),
    )
    // The ids: the settling's audit record names the overrides it acted on.
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}

/** What a read must know of a subject's approved overrides ({@link overridesForRead}). */
export interface OverridesForRead {
  /** In force at the read's instant, one per scheme (the one approved last): as {@link listActiveOverrides}. */
  readonly inForce: OverrideInfo[];
  /**
   * An override expired after its scheme's level was last evaluated, and nothing has acted on its
   * expiry: that level may still be the override's.
   */
  readonly lapsed: boolean;
  /** When the first override in force expires (epoch ms; Infinity when none does). */
  readonly next: number;
}

// Built once: every first ask of a subject read asks.
const readOverrideRows = reusableQuery((db, tenantId: string, subjectId: string, now: string) =>
  db
    .selectFrom('overrides as o')
    .leftJoin('assignments as a', (j) => j.onRef('a.subject_id', '=', 'o.subject_id').onRef('a.scheme', '=', 'o.scheme'))
    .selectAll('o')
    .select('a.evaluated_at as evaluated_at')
    // By the subject's index, not the tenant's (see rangeTenant): a bank has many overrides, a subject few.
    .where(rangeTenant(tenantId, 'o.tenant_id'))
    .where('o.subject_id', '=', subjectId)
    .where(approvedNotRevoked('o'))
    // In force, or expired with nothing done about it (instants compare as ISO 8601 UTC text).
    .where((eb) => eb.or([eb('o.expires_at', 'is', null), eb('o.expires_at', '>', now), lapsedAfterEvaluation('o')]))
    .orderBy(lastApproved('o')),
);

/** A subject's overrides as a read at `now` must know them, in one query (see {@link OverridesForRead}). */
export async function overridesForRead(db: Executor, tenantId: string, subjectId: string, now: string): Promise<OverridesForRead> {
  const byScheme = new Map<string, OverrideInfo>();
  let lapsed = false;
  let next = Number.POSITIVE_INFINITY;
  for (const row of await readOverrideRows(db, tenantId, subjectId, now)) {
    if (row.expires_at !== null && row.expires_at <= now) {
      lapsed = true;
      continue;
    }
    if (row.expires_at !== null) next = Math.min(next, Date.parse(row.expires_at));
    if (!byScheme.has(row.scheme)) byScheme.set(row.scheme, toOverride(row));
  }
  return { inForce: [...byScheme.values()], lapsed, next };
}

/**
 * The subjects (external ids) with an override that expired after its scheme was last evaluated
 * (see {@link OverridesForRead}), at most `limit`: what a periodic sweep settles, so that books,
 * matrices and analytics, which read levels without reading subjects one by one, follow too.
 */
export async function listLapsedOverrideSubjects(db: Executor, tenantId: string, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('overrides as o')
    .innerJoin('assignments as a', (j) => j.onRef('a.subject_id', '=', 'o.subject_id').onRef('a.scheme', '=', 'o.scheme'))
    .innerJoin('subjects as s', 's.id', 'o.subject_id')
    .select('s.external_id')
    .distinct()
    .where('o.tenant_id', '=', tenantId)
    .where(approvedNotRevoked('o'))
    .where('o.expires_at', '<=', now)
    .where(lapsedAfterEvaluation('o'))
    .orderBy('s.external_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.external_id);
}

/** Where an override request stands. `expired` is never stored: it is an `approved` one past `expires_at`. */
export const OVERRIDE_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'revoked'] as const;
export type OverrideStatus = (typeof OVERRIDE_STATUSES)[number];

/** How a new override row starts: approved rows are what hand-inserted overrides have always been. */
export interface NewOverrideState {
  readonly status: OverrideStatus;
  readonly contentHash: string;
  /** Who filed it, as held when they did ({@link OverrideRecord.requesterScope}); `tenant` when not said. */
  readonly requesterScope?: RequesterScope;
}

/**
 * Whether a request was filed by book-scoped staff (`book`: it belongs to its customer's book) or by
 * tenant-wide staff or an unowned key (`tenant`: it stays its requester's).
 */
export type RequesterScope = 'book' | 'tenant';

/** Store an override request (approved or not). */
export async function insertOverride(
  db: Executor,
  tenantId: string,
  subjectId: string,
  o: OverrideInfo,
  now: string,
  state: NewOverrideState = { status: o.approvedBy === null ? 'pending' : 'approved', contentHash: '' },
): Promise<void> {
  await atomically(db, async (trx) => {
    await trx
      .insertInto('overrides')
      .values({
        id: o.id,
        tenant_id: tenantId,
        subject_id: subjectId,
        scheme: o.scheme,
        level: o.level,
        mode: o.mode,
        reason: o.reason,
        reason_category: o.reasonCategory ?? null,
        evidence: o.evidence ?? null,
        expires_at: o.expiresAt,
        requested_by: o.requestedBy,
        approved_by: o.approvedBy,
        created_at: now,
        revoked_at: null,
        status: state.status,
        content_hash: state.contentHash,
        updated_at: now,
        decided_by: o.approvedBy,
        decided_at: o.approvedBy === null ? null : now,
        decision_note: null,
        revoked_by: null,
        revoke_note: null,
        requester_scope: state.requesterScope ?? 'tenant',
      })
      .execute();
    await bumpSubjectVersions(trx, [subjectId]);
  });
}

/**
 * {@link listActiveDatedOverrides} for every subject with an id in `first … last` (a job chunk) in
 * one query, by subject; the same rule per subject (the one approved last per scheme wins).
 */
export async function listActiveDatedOverridesInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
  now: string,
): Promise<Map<string, DatedOverride[]>> {
  const rows = await db
    .selectFrom('overrides')
    .selectAll()
    .where(rangeTenant(tenantId))
    .where('subject_id', '>=', first)
    .where('subject_id', '<=', last)
    .where((eb) => inForce(eb, now))
    .orderBy(lastApproved())
    .execute();
  const bySubject = new Map<string, OverrideRow[]>();
  for (const row of rows) {
    const list = bySubject.get(row.subject_id);
    if (list) list.push(row);
    else bySubject.set(row.subject_id, [row]);
  }
  return new Map([...bySubject].map(([id, list]) => [id, datedByScheme(list)]));
}

/** An override request with its lifecycle, and the external id of its subject. */
export interface OverrideRecord extends OverrideOutcome {
  readonly override: OverrideInfo;
  readonly subjectId: string;
  readonly subject: string;
  /** The subject's display name, unmasked: whoever sends it on masks it as its reader may see it. */
  readonly subjectName: string;
  readonly status: OverrideStatus;
  readonly contentHash: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Who filed it, as held then (rows from before it was recorded read `tenant`: only their requester withdraws them). */
  readonly requesterScope: RequesterScope;
}

function overridesWithSubject(db: Executor, tenantId: string) {
  return db
    .selectFrom('overrides')
    .innerJoin('subjects', (j) =>
      j.onRef('subjects.id', '=', 'overrides.subject_id').onRef('subjects.tenant_id', '=', 'overrides.tenant_id'),
    )
    .selectAll('overrides')
    .select(['subjects.external_id', 'subjects.display_name'])
    .where('overrides.tenant_id', '=', tenantId);
}

function toRecord(row: OverrideRow & { external_id: string; display_name: string }): OverrideRecord {
  return {
    override: toOverride(row),
    subjectId: row.subject_id,
    subject: row.external_id,
    subjectName: row.display_name,
    status: row.status as OverrideStatus,
    contentHash: row.content_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    revokedBy: row.revoked_by,
    revokedAt: row.revoked_at,
    revokeNote: row.revoke_note,
    requesterScope: row.requester_scope === 'book' ? 'book' : 'tenant',
  };
}

/** One override request of the tenant by id. */
export async function findOverride(db: Executor, tenantId: string, id: string): Promise<OverrideRecord | undefined> {
  const row = await overridesWithSubject(db, tenantId).where('overrides.id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Filters of `listOverrides`; `expired`/`approved` split approved rows by `expires_at` against `now`. */
export interface ListOverridesQuery {
  readonly subjectId?: string;
  readonly scheme?: string;
  /**
   * Leave out the requests of these schemes, in SQL: those whose levels the caller may not read (an AML
   * grade's `readers`), so a page, its cursor and its count never hold one.
   */
  readonly notSchemes?: readonly string[];
  readonly status?: OverrideStatus | 'expired';
  readonly now: string;
  readonly limit: number;
  /**
   * Only requests for customers in this staff member's book now: a request belongs to its customer's
   * book, so a customer moved out takes theirs along.
   */
  readonly managedBy?: Books;
  /**
   * Only requests this person filed, as four eyes counts a person: `staff:<id>` matches their staff
   * token's requests and those of every key they own (revoked ones too: a key's owner never changes);
   * any other actor (an unowned `key:<id>`) matches itself.
   */
  readonly requestedBy?: string;
  /** Only overrides in force at `now` (approved, not expired) whose expiry is before this instant: those ending soon. */
  readonly expiresBefore?: string;
  /** Keyset: rows created before this (created_at, id), newest first. */
  readonly before?: { readonly createdAt: string; readonly id: string };
  /**
   * `expiresAt`: soonest expiry first, then id (a tie's order, so a cursor inside it stays exact); those
   * with no expiry last. Pages after `after` instead of `before`.
   */
  readonly order?: 'expiresAt';
  /** Keyset of the expiry order: rows after this (expires_at, id); expiresAt null for one with none. */
  readonly after?: { readonly expiresAt: string | null; readonly id: string };
}

/** Override requests, newest first. */
export async function listOverrides(db: Executor, tenantId: string, q: ListOverridesQuery): Promise<OverrideRecord[]> {
  let query = overridesWithSubject(db, tenantId);
  if (q.subjectId !== undefined) query = query.where('overrides.subject_id', '=', q.subjectId);
  if (q.scheme !== undefined) query = query.where('overrides.scheme', '=', q.scheme);
  if (q.notSchemes !== undefined && q.notSchemes.length > 0) query = query.where('overrides.scheme', 'not in', q.notSchemes);
  const book = q.managedBy;
  if (book !== undefined)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('subject_managers as m')
          .select(sql.lit(1).as('one'))
          .whereRef('m.subject_id', '=', 'overrides.subject_id')
          .where('m.tenant_id', '=', tenantId)
          .where('m.staff_id', 'in', bookIds(book)),
      ),
    );
  const person = q.requestedBy;
  if (person !== undefined) {
    const staffId = person.startsWith('staff:') ? person.slice('staff:'.length) : undefined;
    query = query.where((eb) =>
      staffId === undefined
        ? eb('overrides.requested_by', '=', person)
        : eb.or([
            eb('overrides.requested_by', '=', person),
            eb(
              'overrides.requested_by',
              'in',
              eb
                .selectFrom('api_keys as k')
                .select(sql<string>`'key:' || k.id`.as('actor'))
                .where('k.tenant_id', '=', tenantId)
                .where('k.staff_id', '=', staffId),
            ),
          ]),
    );
  }
  if (q.status === 'expired') {
    query = query.where('overrides.status', '=', 'approved').where('overrides.expires_at', '<=', q.now);
  } else if (q.status === 'approved') {
    query = query
      .where('overrides.status', '=', 'approved')
      .where((eb) => eb.or([eb('overrides.expires_at', 'is', null), eb('overrides.expires_at', '>', q.now)]));
  } else if (q.status !== undefined) {
    query = query.where('overrides.status', '=', q.status);
  }
  if (q.expiresBefore !== undefined)
    query = query
      .where('overrides.status', '=', 'approved')
      .where('overrides.expires_at', '>', q.now)
      .where('overrides.expires_at', '<', q.expiresBefore);
  const before = q.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb('overrides.created_at', '<', before.createdAt),
        eb.and([eb('overrides.created_at', '=', before.createdAt), eb('overrides.id', '<', before.id)]),
      ]),
    );
  }
  if (q.order === 'expiresAt') {
    // Those with an expiry, soonest first, then those with none by id (none last on both dialects):
    // two seeks, each in the order of overrides_tenant_status_expiry_idx (tenant, status, expiry, id)
    // when a status is asked for, not one sort of every override the tenant ever had (a CASE key).
    const after = q.after;
    const page = (rows: Awaited<ReturnType<typeof query.execute>>) => rows.map(toRecord);
    let dated: Awaited<ReturnType<typeof query.execute>> = [];
    const at = after?.expiresAt;
    if (at !== null) {
      let d = query.where('overrides.expires_at', 'is not', null);
      if (after !== undefined && at !== undefined) {
        d = d.where((eb) =>
          eb.or([eb('overrides.expires_at', '>', at), eb.and([eb('overrides.expires_at', '=', at), eb('overrides.id', '>', after.id)])]),
        );
      }
      dated = await d.orderBy('overrides.expires_at').orderBy('overrides.id').limit(q.limit).execute();
    }
    // Expiring soon, every row has an expiry: the first seek was all of it.
    if (dated.length >= q.limit || q.expiresBefore !== undefined) return page(dated);
    // Ordered by expiry too, all null: the index's own order, which PostgreSQL then reads without a sort.
    let undated = query.where('overrides.expires_at', 'is', null);
    if (after !== undefined && at === null) undated = undated.where('overrides.id', '>', after.id);
    return page([
      ...dated,
      ...(await undated
        .orderBy('overrides.expires_at')
        .orderBy('overrides.id')
        .limit(q.limit - dated.length)
        .execute()),
    ]);
  }
  const rows = await query.orderBy('overrides.created_at', 'desc').orderBy('overrides.id', 'desc').limit(q.limit).execute();
  return rows.map(toRecord);
}

/**
 * The pending request for a subject's scheme that could still be approved (its expiry, if any, after
 * `now`), read so that no other transaction can file one for the same subject and scheme until this
 * one ends: at most one is pending, so a checker never weighs two competing requests. PostgreSQL: a
 * transaction-scoped advisory lock on the three; SQLite: writers are serialized already (BEGIN
 * IMMEDIATE). Call inside the transaction that inserts the request.
 */
export async function pendingOverrideForUpdate(
  trx: Executor,
  tenantId: string,
  subjectId: string,
  scheme: string,
  now: string,
): Promise<OverrideRecord | undefined> {
  if (isPostgres(trx)) {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`tierkit-override:${tenantId}:${subjectId}:${scheme}`}, 0))`.execute(trx);
  }
  const row = await overridesWithSubject(trx, tenantId)
    .where('overrides.subject_id', '=', subjectId)
    .where('overrides.scheme', '=', scheme)
    .where('overrides.status', '=', 'pending')
    // One past its expiry can only be rejected or withdrawn: it competes with nothing.
    .where((eb) => eb.or([eb('overrides.expires_at', 'is', null), eb('overrides.expires_at', '>', now)]))
    .orderBy('overrides.created_at')
    .orderBy('overrides.id')
    .executeTakeFirst();
  return row && toRecord(row);
}

/**
 * Pending override requests of the tenant's open customers, oldest first (the approvals queue). A
 * closing withdraws its customer's, and a request filed while it is in flight refuses itself; the
 * filter keeps a closed customer out of the queue all the same (rows from before closings withdrew).
 */
export async function listPendingOverrides(db: Executor, tenantId: string, scheme?: string): Promise<OverrideRecord[]> {
  let query = overridesWithSubject(db, tenantId).where('overrides.status', '=', 'pending').where('subjects.closed_at', 'is', null);
  if (scheme !== undefined) query = query.where('overrides.scheme', '=', scheme);
  const rows = await query.orderBy('overrides.created_at').orderBy('overrides.id').execute();
  return rows.map(toRecord);
}

/**
 * One window of the approvals queue's pending override requests (open customers only, like
 * `listPendingOverrides`): filtered, after a keyset position, oldest first then by id, at most
 * `limit` rows — what one page needs of a queue that may hold tens of thousands.
 */
export async function pendingOverridesWindow(db: Executor, tenantId: string, w: ApprovalsWindow): Promise<OverrideRecord[]> {
  const at = codeUnitOrder(db, sql.ref<string>('overrides.created_at'));
  const id = codeUnitOrder(db, sql.ref<string>('overrides.id'));
  let query = overridesWithSubject(db, tenantId).where('overrides.status', '=', 'pending').where('subjects.closed_at', 'is', null);
  if (w.scheme !== undefined) query = query.where('overrides.scheme', '=', w.scheme);
  if (w.notSchemes?.length) query = query.where('overrides.scheme', 'not in', [...w.notSchemes]);
  if (w.subject !== undefined) query = query.where('subjects.external_id', '=', w.subject);
  if (w.requestedAtOrBefore !== undefined) query = query.where(at, '<=', w.requestedAtOrBefore);
  if (w.books !== undefined) {
    if (w.books.length === 0) return [];
    const inBooks = db
      .selectFrom('subject_managers as sm')
      .select('sm.subject_id')
      .where('sm.tenant_id', '=', tenantId)
      .where('sm.staff_id', 'in', [...w.books]);
    query = query.where('overrides.subject_id', 'in', inBooks);
  }
  const by = requesterCondition(tenantId, sql.ref<string>('overrides.requested_by'), w);
  if (by) query = query.where(by);
  const beyond = w.beyondRole;
  if (beyond?.all) return [];
  if (beyond?.overrides.length) {
    const asks = beyond.overrides.map(
      (o) => sql<SqlBool>`(overrides.scheme = ${o.scheme} AND overrides.level = ${o.level} AND overrides.mode = ${o.mode})`,
    );
    query = query.where(sql<SqlBool>`NOT (${sql.join(asks, sql` OR `)})`);
  }
  const after = w.after;
  if (after !== undefined) query = query.where(afterPosition(at, id, after));
  const rows = await query.orderBy(at).orderBy(id).limit(w.limit).execute();
  return rows.map(toRecord);
}

/** Whether an open customer's override request is pending, of a scheme or of a subject (external id). */
export async function anyPendingOverride(
  db: Executor,
  tenantId: string,
  of: { readonly scheme?: string; readonly subject?: string },
): Promise<boolean> {
  let query = overridesWithSubject(db, tenantId).where('overrides.status', '=', 'pending').where('subjects.closed_at', 'is', null);
  if (of.scheme !== undefined) query = query.where('overrides.scheme', '=', of.scheme);
  if (of.subject !== undefined) query = query.where('subjects.external_id', '=', of.subject);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * The pending override requests of one subject, oldest first, held for the caller's transaction
 * (PostgreSQL: `FOR UPDATE` of the override rows only, in id order). A closing takes them once it
 * holds the subject's row: every step of a pending request holds that row before it writes the
 * request (`holdOpenSubject`), so the two queue on the row instead of deadlocking over the request.
 */
export async function pendingOverridesOfForUpdate(trx: Executor, tenantId: string, subjectId: string): Promise<OverrideRecord[]> {
  if (isPostgres(trx)) {
    await trx
      .selectFrom('overrides')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('subject_id', '=', subjectId)
      .where('status', '=', 'pending')
      .orderBy('id')
      .forUpdate()
      .execute();
  }
  const rows = await overridesWithSubject(trx, tenantId)
    .where('overrides.subject_id', '=', subjectId)
    .where('overrides.status', '=', 'pending')
    .orderBy('overrides.created_at')
    .orderBy('overrides.id')
    .execute();
  return rows.map(toRecord);
}

/** What a step of the lifecycle changes; unset fields stay as they are. */
export interface OverrideChange {
  readonly status?: OverrideStatus;
  readonly level?: string;
  readonly mode?: string;
  readonly reason?: string;
  /** An edit's category and evidence: null clears them. */
  readonly reasonCategory?: string | null;
  readonly evidence?: string | null;
  readonly expiresAt?: string | null;
  readonly contentHash?: string;
  readonly approvedBy?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly decisionNote?: string | null;
  readonly revokedBy?: string;
  readonly revokedAt?: string;
  readonly revokeNote?: string | null;
  /** A closing's withdrawal: the closing (`subject_closings.id`) that withdrew it. */
  readonly withdrawnByClosing?: string;
  readonly updatedAt: string;
}

/**
 * Apply one lifecycle step to an override, only if it is still in `expected` status with
 * `expectedHash`: the check and the write are one statement, so two approvers racing, or an edit
 * racing an approval, cannot both succeed. Returns whether the row changed.
 * The step moves its subject's version, unless `bump` is false: a caller that moves it once for
 * everything it writes in the transaction (a closing, whose own write of the customer's row does)
 * says so, so that one decision or closing is one version move however many rows it touches.
 */
export async function changeOverride(
  db: Executor,
  tenantId: string,
  id: string,
  expected: { readonly status: OverrideStatus; readonly contentHash: string },
  change: OverrideChange,
  { bump = true }: { readonly bump?: boolean } = {},
): Promise<boolean> {
  const set: Record<string, unknown> = { updated_at: change.updatedAt };
  const columns: Record<string, keyof OverrideChange> = {
    status: 'status',
    level: 'level',
    mode: 'mode',
    reason: 'reason',
    reason_category: 'reasonCategory',
    evidence: 'evidence',
    expires_at: 'expiresAt',
    content_hash: 'contentHash',
    approved_by: 'approvedBy',
    decided_by: 'decidedBy',
    decided_at: 'decidedAt',
    decision_note: 'decisionNote',
    revoked_by: 'revokedBy',
    revoked_at: 'revokedAt',
    revoke_note: 'revokeNote',
    withdrawn_by_closing: 'withdrawnByClosing',
  };
  for (const [column, field] of Object.entries(columns)) if (change[field] !== undefined) set[column] = change[field];
  return atomically(db, async (trx) => {
    const result = await trx
      .updateTable('overrides')
      .set(set)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', expected.status)
      .where('content_hash', '=', expected.contentHash)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    if (!bump) return true;
    await trx
      .updateTable('subjects')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', (eb) => eb.selectFrom('overrides').select('subject_id').where('tenant_id', '=', tenantId).where('id', '=', id))
      .execute();
    return true;
  });
}
