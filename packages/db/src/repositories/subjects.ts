import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { SubjectRow } from '../schema.js';
import { approvedOverridesColumn } from './approved-override.js';
import { rangeTenant, chunks, parseJson, reusableQuery, type Executor } from './executor.js';
import { subjectRowsLock } from './subject-row-lock.js';

/** A subject as repositories hand it out (attributes parsed). */
export interface Subject {
  readonly id: string;
  readonly tenantId: string;
  readonly externalId: string;
  readonly kind: string;
  readonly displayName: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Changes whenever the subject's assignments, overrides or tier events do (the repository functions
   * that write them call bumpSubjectVersions); with `updatedAt` it versions everything a read of the
   * subject shows.
   */
  readonly version: number;
  /** When the customer left the bank (ISO UTC), and why; both null while they are a customer. */
  readonly closedAt: string | null;
  readonly closedReason: string | null;
  /**
   * When the customer really left, where it is earlier than `closedAt`: a closing learnt of after the
   * month it happened in was final counts from the first instant allowed (`closedAt`, what analytics
   * and jobs read) and keeps the real date here. Null otherwise.
   */
  readonly leftAt: string | null;
  /**
   * When the customer's personal data was erased after their retention period (ISO UTC): the row is
   * kept blank, for counts and the tier history's subject. Null otherwise (docs/operations.md, "Retention and erasure").
   */
  readonly erasedAt: string | null;
}

/** A closing as written: when it counts from, why, and when the customer really left where earlier. */
export interface ClosingWrite {
  /** Its id in `subject_closings`, for a caller that marks what it withdraws with it; one is drawn when absent. */
  readonly id?: string;
  readonly at: string;
  readonly reason: string | null;
  /** Only where earlier than `at` (see {@link Subject.leftAt}); absent or null otherwise. */
  readonly leftAt?: string | null;
}

/** What creating or updating a subject takes. */
export interface SubjectInput {
  readonly id: string;
  readonly externalId: string;
  readonly kind: string;
  readonly displayName: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** A customer who left before they were first written (an import of a closed account): when and why. */
  readonly closed?: ClosingWrite;
  /** When the bank first recorded them, where before this write (the demo's seed); else the write's time. */
  readonly createdAt?: string;
}

/** A subjects row as repositories hand it out. */
export function toSubject(row: SubjectRow): Subject {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    externalId: row.external_id,
    kind: row.kind,
    displayName: row.display_name,
    attributes: parseJson<Record<string, unknown>>(row.attributes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    closedAt: row.closed_at,
    closedReason: row.closed_reason,
    leftAt: row.left_at,
    erasedAt: row.erased_at,
  };
}

/** The subject a bank knows by `externalId`, within one tenant only. */
// Every subject read starts here.
const subjectByExternalId = reusableQuery((db, tenantId: string, externalId: string) =>
  db.selectFrom('subjects').selectAll().where('tenant_id', '=', tenantId).where('external_id', '=', externalId),
);

export async function findSubjectByExternalId(db: Executor, tenantId: string, externalId: string): Promise<Subject | undefined> {
  const [row] = await subjectByExternalId(db, tenantId, externalId);
  return row ? toSubject(row) : undefined;
}

// Built once: every first ask of a subject read on the fast path asks.
const subjectForReadRows = reusableQuery((db, tenantId: string, externalId: string) =>
  db
    .selectFrom('subjects')
    .selectAll('subjects')
    .select(approvedOverridesColumn)
    .where('subjects.tenant_id', '=', tenantId)
    .where('subjects.external_id', '=', externalId),
);

/**
 * A subject as a first ask of its reads needs it: the row, and whether it had any approved,
 * unrevoked override when read — in the same statement, so the two agree.
 */
export interface SubjectForRead {
  readonly subject: Subject;
  readonly hasApprovedOverride: boolean;
}

/**
 * The subject a bank knows by `externalId`, as {@link findSubjectByExternalId} answers it, read
 * together with whether it has any approved, unrevoked override: most customers have none, and a
 * first ask of a subject read then needs no overrides query of its own. Each query outside a
 * transaction costs SQLite a read transaction's start and end (file locks), which on a first ask
 * weighed more than the override lookup this statement carries. `hasApprovedOverride` is true only
 * of the moment of this read: a caller that keeps it past an override's write reads stale.
 */
export async function findSubjectForRead(db: Executor, tenantId: string, externalId: string): Promise<SubjectForRead | undefined> {
  const [row] = await subjectForReadRows(db, tenantId, externalId);
  if (!row) return undefined;
  const { approved_overrides: approved, ...subjectRow } = row;
  // SQLite answers 0 or 1, PostgreSQL a boolean.
  return { subject: toSubject(subjectRow), hasApprovedOverride: Boolean(approved) };
}

/** What versions a subject's reads: its internal id, `version` and `updatedAt` (see Subject). */
export type SubjectVersion = Pick<Subject, 'id' | 'version' | 'updatedAt'>;

/**
 * Create the subject, or update kind, name and attributes of the one with the same external id.
 * `input.id` is used only when the subject is new. `check` sees an existing subject before it is
 * updated and may throw to refuse the update. Returns the stored subject and whether it was created.
 *
 * Insert first, then update: two first writes of one subject at the same moment must not both try
 * to create it. The insert that loses waits for the winner's commit (PostgreSQL) and inserts
 * nothing, and its update then sees the committed row.
 */
export async function upsertSubject(
  db: Executor,
  tenantId: string,
  input: SubjectInput,
  now: string,
  check?: (existing: Subject) => void,
): Promise<{ subject: Subject; created: boolean }> {
  const inserted = await db
    .insertInto('subjects')
    .values(subjectRow(tenantId, input, now))
    .onConflict((oc) => oc.columns(['tenant_id', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    if (input.closed) await recordClosings(db, tenantId, [{ subjectId: input.id, ...input.closed }], now);
    return {
      subject: {
        ...input,
        tenantId,
        createdAt: now,
        updatedAt: now,
        version: 0,
        closedAt: input.closed?.at ?? null,
        closedReason: input.closed?.reason ?? null,
        leftAt: input.closed?.leftAt ?? null,
        erasedAt: null,
      },
      created: true,
    };
  }
  const existing = await findSubjectByExternalId(db, tenantId, input.externalId);
  if (!existing) throw new Error(`subject ${input.externalId} neither inserted nor found`);
  check?.(existing);
  await db
    .updateTable('subjects')
    .set({ kind: input.kind, display_name: input.displayName, attributes: JSON.stringify(input.attributes), updated_at: now })
    .where('id', '=', existing.id)
    .where('tenant_id', '=', tenantId)
    .execute();
  return {
    subject: { ...existing, kind: input.kind, displayName: input.displayName, attributes: input.attributes, updatedAt: now },
    created: false,
  };
}

function subjectRow(tenantId: string, s: SubjectInput, now: string) {
  return {
    id: s.id,
    tenant_id: tenantId,
    external_id: s.externalId,
    kind: s.kind,
    display_name: s.displayName,
    attributes: JSON.stringify(s.attributes),
    created_at: s.createdAt ?? now,
    updated_at: now,
    closed_at: s.closed?.at ?? null,
    closed_reason: s.closed?.reason ?? null,
    left_at: s.closed?.leftAt ?? null,
  };
}

/**
 * Record that the customer left (`closed` set) or came back (`closed` null, at `now`). Only from the
 * state the caller read: of two closings of one customer at once, the second changes nothing and
 * gets false, so it can answer that the customer is closed already. The closing is kept in
 * `subject_closings` too, and a reopening ends it there rather than erasing it: a month the customer
 * was gone at the end of stays without them.
 */
export async function setSubjectClosed(
  db: Executor,
  tenantId: string,
  subjectId: string,
  closed: ClosingWrite | null,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('subjects')
    // The version moves too: every kept read of the subject is stale, even one made in the same millisecond.
    .set({
      closed_at: closed?.at ?? null,
      closed_reason: closed?.reason ?? null,
      left_at: closed?.leftAt ?? null,
      updated_at: now,
      version: sql`version + 1`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', subjectId)
    .where('closed_at', closed ? 'is' : 'is not', null)
    // Never an erased customer: a reopening that read them before a retention run locked and erased
    // them would otherwise bring a blank customer back into the open book (PostgreSQL; the route's
    // own check ran before the erasure committed).
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  if (closed) await recordClosings(db, tenantId, [{ subjectId, ...closed }], now);
  else
    await db
      .updateTable('subject_closings')
      .set({ reopened_at: now })
      .where('tenant_id', '=', tenantId)
      .where('subject_id', '=', subjectId)
      .where('reopened_at', 'is', null)
      .execute();
  return true;
}

/** A fresh id for a closing (`subject_closings.id`): what the items it withdraws name it by. */
export function newClosingId(): string {
  return `cls_${randomUUID().replaceAll('-', '')}`;
}

/** Where a closing may have withdrawn something waiting for a second person. */
export type ClosingWithdrawable = 'overrides' | 'level_approvals';

/**
 * Whether the override request or level sign-off `id` (of `table`) was withdrawn by the closing its
 * customer is under now: the closing it names (`withdrawn_by_closing`, written with the withdrawal)
 * is theirs and not reopened. Not one a person withdrew since migration
 * `2026-12-14T00-00-01-closing-withdrawals` (which marked what was stored before by the older
 * note-and-instant rule); not one an earlier closing withdrew before the customer was reopened.
 */
export async function withdrawnByOpenClosing(db: Executor, tenantId: string, table: ClosingWithdrawable, id: string): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`SELECT 1 AS one FROM ${sql.table(table)} i
    JOIN subject_closings c ON c.tenant_id = i.tenant_id AND c.subject_id = i.subject_id AND c.id = i.withdrawn_by_closing
    WHERE i.tenant_id = ${tenantId} AND i.id = ${id} AND i.status = 'withdrawn' AND c.reopened_at IS NULL`.execute(db);
  return rows.length > 0;
}

/** A closing to keep in `subject_closings` (see {@link setSubjectClosed}). */
export interface ClosingToRecord extends ClosingWrite {
  readonly subjectId: string;
}

/** Keep closings just written to `subjects.closed_at` (the API's, or an import's) in `subject_closings`. */
export async function recordClosings(db: Executor, tenantId: string, closings: readonly ClosingToRecord[], now: string): Promise<void> {
  for (const batch of chunks(closings)) {
    await db
      .insertInto('subject_closings')
      .values(
        batch.map((c) => ({
          id: c.id ?? newClosingId(),
          tenant_id: tenantId,
          subject_id: c.subjectId,
          closed_at: c.at,
          left_at: c.leftAt ?? null,
          reason: c.reason,
          reopened_at: null,
          recorded_at: now,
        })),
      )
      .execute();
  }
}

/** Bulk insert for seeding and imports: multi-row INSERTs in batches. */
export async function insertSubjects(db: Executor, tenantId: string, subjects: readonly SubjectInput[], now: string): Promise<void> {
  for (const batch of chunks(subjects)) {
    await db
      .insertInto('subjects')
      .values(batch.map((s) => subjectRow(tenantId, s, now)))
      .execute();
  }
  const closings: ClosingToRecord[] = [];
  for (const s of subjects) if (s.closed) closings.push({ subjectId: s.id, ...s.closed });
  await recordClosings(db, tenantId, closings, now);
}

/** What evaluating a subject needs to know of it: which one it is and its kind. */
export type SubjectKey = Pick<Subject, 'id' | 'externalId' | 'kind'>;

/** A subject of a job chunk: its key, and whether the customer left (a job skips them). */
export interface RangeSubject extends SubjectKey {
  readonly closed: boolean;
}

/**
 * The tenant's subjects with internal ids in `first … last` (both included), in id order: one job
 * chunk. Only their keys: names, attributes and timestamps cost more to read than the rest of the chunk.
 * Nothing is locked: a chunk holds only the ones it will write ({@link holdSubjects}).
 */
export async function listSubjectsInRange(
  db: Executor,
  tenantId: string,
  first: string,
  last: string,
  kind?: string,
): Promise<RangeSubject[]> {
  let q = db
    .selectFrom('subjects')
    .select(['id', 'external_id', 'kind', 'closed_at'])
    .where(rangeTenant(tenantId))
    .where('id', '>=', first)
    .where('id', '<=', last);
  if (kind) q = q.where('kind', '=', kind);
  return (await q.orderBy('id').execute()).map(rangeSubject);
}

/**
 * Hold these subjects until the transaction ends and answer them as they are once held (a closing
 * that committed while this waited shows), in id order. On PostgreSQL their rows are locked in id
 * order — the order every writer of several customers takes them in — by {@link subjectRowsLock}. On
 * SQLite they are read: the write transaction holds the whole file already.
 */
export async function holdSubjects(db: Executor, tenantId: string, subjectIds: Iterable<string>): Promise<RangeSubject[]> {
  const ids = [...new Set(subjectIds)].sort();
  const out: RangeSubject[] = [];
  for (let i = 0; i < ids.length; i += 1000)
    for (const r of await subjectRowsLock(db, tenantId, ids.slice(i, i + 1000)).execute()) out.push(rangeSubject(r));
  return out;
}

function rangeSubject(r: Pick<SubjectRow, 'id' | 'external_id' | 'kind' | 'closed_at'>): RangeSubject {
  return { id: r.id, externalId: r.external_id, kind: r.kind, closed: r.closed_at !== null };
}

/** Internal ids of the tenant's subjects known by these external ids (those that exist), by external id. */
export async function findSubjectIds(db: Executor, tenantId: string, externalIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const batch of chunks([...new Set(externalIds)])) {
    const rows = await db
      .selectFrom('subjects')
      .select(['id', 'external_id'])
      .where('tenant_id', '=', tenantId)
      .where('external_id', 'in', batch)
      .execute();
    for (const r of rows) out.set(r.external_id, r.id);
  }
  return out;
}

/** The subjects a bank knows by these external ids (those that exist), within one tenant. */
export async function findSubjectsByExternalIds(
  db: Executor,
  tenantId: string,
  externalIds: readonly string[],
): Promise<Map<string, Subject>> {
  const out = new Map<string, Subject>();
  for (const batch of chunks([...new Set(externalIds)])) {
    if (!batch.length) continue;
    const rows = await db.selectFrom('subjects').selectAll().where('tenant_id', '=', tenantId).where('external_id', 'in', batch).execute();
    for (const r of rows) out.set(r.external_id, toSubject(r));
  }
  return out;
}

/** The tenant's subjects of these internal ids (those that exist), by id. */
export async function findSubjectsByIds(db: Executor, tenantId: string, ids: readonly string[]): Promise<Map<string, Subject>> {
  const out = new Map<string, Subject>();
  for (const batch of chunks([...new Set(ids)])) {
    if (!batch.length) continue;
    // Not `tenant_id = ?`: SQLite (no statistics) would read the tenant's whole index for every 500 ids (rangeTenant).
    const rows = await db.selectFrom('subjects').selectAll().where(rangeTenant(tenantId)).where('id', 'in', batch).execute();
    for (const r of rows) out.set(r.id, toSubject(r));
  }
  return out;
}
