import { randomUUID } from 'node:crypto';
import type { BookMove } from '@tierkit/core';
import { type Insertable, sql } from 'kysely';
import type { BookMoveTable, StaffRow } from '../schema.js';
import { atomically, chunks, isPostgres, type Executor } from './executor.js';

/**
 * The books a read is cut to: one RM's (their staff id), or several — a team lead's own and their
 * team's (repositories/teams.ts). Never empty: a list of none would read as no customers.
 */
export type Books = string | readonly string[];

/** The staff ids of `books`, as `IN` lists take them. */
export function bookIds(books: Books): readonly string[] {
  return typeof books === 'string' ? [books] : books;
}

/** A staff member as repositories hand it out. */
export interface StaffMember {
  readonly tenantId: string;
  readonly id: string;
  readonly name: string;
  readonly role: string;
  /** `tenant` or `book`. */
  readonly scope: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When they were disabled (someone leaving: `disableStaff` in the API), null while they work. A
   * disabled member's tokens and keys authenticate nothing and none can be issued to them.
   */
  readonly disabledAt: string | null;
}

/** What creating or updating a staff member takes. */
export interface StaffInput {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly scope: string;
}

function toStaff(row: StaffRow): StaffMember {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    role: row.role,
    scope: row.scope,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at ?? null,
  };
}

/** The staff member `id` of one tenant. */
export async function findStaff(db: Executor, tenantId: string, id: string): Promise<StaffMember | undefined> {
  const row = await db.selectFrom('staff').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row ? toStaff(row) : undefined;
}

/**
 * Create the staff member, or update name, role and scope of the one with the same id. `before` is
 * the member this write replaced (undefined when it created them): read under the row's lock, taken
 * by the first UPDATE (PostgreSQL's row lock, SQLite's write lock), so a write made at the same time
 * cannot slip between what is read here and what is written.
 */
export async function upsertStaff(
  db: Executor,
  tenantId: string,
  input: StaffInput,
  now: string,
): Promise<{ staff: StaffMember; created: boolean; before?: StaffMember }> {
  return atomically(db, async (trx) => {
    const inserted = await trx
      .insertInto('staff')
      .values({
        tenant_id: tenantId,
        id: input.id,
        name: input.name,
        role: input.role,
        scope: input.scope,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    let before: StaffMember | undefined;
    if (!inserted) {
      const mine = trx.updateTable('staff').where('tenant_id', '=', tenantId).where('id', '=', input.id);
      await mine.set({ updated_at: now }).execute();
      before = await findStaff(trx, tenantId, input.id);
      // Saying what someone holds gives a disabled member a role back: it is how they are re-enabled.
      await mine.set({ name: input.name, role: input.role, scope: input.scope, disabled_at: null }).execute();
    }
    const staff = await findStaff(trx, tenantId, input.id);
    if (!staff) throw new Error(`staff member ${input.id} neither inserted nor found`);
    return before ? { staff, created: false, before } : { staff, created: true };
  });
}

/**
 * Mark staff member `id` disabled at `now` (someone leaving): from then on their tokens and keys
 * authenticate nothing. Call it in the transaction that took their powers away (`disableStaff`).
 */
export async function markStaffDisabled(db: Executor, tenantId: string, id: string, now: string): Promise<StaffMember | undefined> {
  await db.updateTable('staff').set({ disabled_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  return findStaff(db, tenantId, id);
}

/**
 * The tenant's tenant-wide admins and staff member `id` (whatever they hold), in id order, locked on
 * PostgreSQL until the transaction ends (`SELECT … ORDER BY id FOR NO KEY UPDATE`): a change of one of
 * them waits for this transaction and then is read as it committed (a row no longer a tenant-wide
 * admin drops out). Two transactions that each demote one of the last two admins therefore queue on
 * the first row they share, and the second sees the first's demotion. Not `FOR UPDATE`: a book
 * assignment holds its staff member's row `FOR KEY SHARE` (the `subject_managers` foreign key) until
 * it commits, which `FOR UPDATE` waits for and `FOR NO KEY UPDATE` does not — an open assignment to
 * the member, then to an admin this had locked, would otherwise deadlock with it (the key, tenant and
 * id, is never changed here). SQLite's writer holds the whole file (transactions begin IMMEDIATE).
 * Lock order: key rows before staff rows — take the tenant's admin keys first (`lockUnrevokedKeys`)
 * when the transaction also decides by them. Call it in a transaction.
 */
export async function lockTenantAdminsAnd(db: Executor, tenantId: string, id: string): Promise<StaffMember[]> {
  let q = db
    .selectFrom('staff')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb.and([eb('role', '=', 'admin'), eb('scope', '!=', 'book')]), eb('id', '=', id)]))
    .orderBy('id');
  if (isPostgres(db)) q = q.forNoKeyUpdate();
  return (await q.execute()).map(toStaff);
}

/** Staff of a tenant in id order (keyset pagination after `afterId`). */
export async function listStaff(
  db: Executor,
  tenantId: string,
  query: { readonly limit: number; readonly afterId?: string; readonly role?: string },
): Promise<StaffMember[]> {
  let q = db.selectFrom('staff').selectAll().where('tenant_id', '=', tenantId);
  if (query.role !== undefined) q = q.where('role', '=', query.role);
  if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
  return (await q.orderBy('id').limit(query.limit).execute()).map(toStaff);
}

/** One subject's manager assignment: `staffId` null takes the subject out of every book. */
export interface ManagerAssignment {
  /** Internal subject id. */
  readonly subjectId: string;
  readonly staffId: string | null;
}

/** One move `assignManagers` made: whose book the subject (internal id) left, and whose it joined, when. */
export interface MadeMove {
  readonly subjectId: string;
  readonly from: string | null;
  readonly to: string | null;
  /** ISO UTC, read after every book row of the call was locked (`assignManagers`). */
  readonly at: string;
}

/** The list under `key`, made on first use: appending in place, since a call may move thousands of customers. */
function listOf(map: Map<string, string[]>, key: string): string[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

const bySubject = (a: ManagerAssignment, b: ManagerAssignment) => (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0);

/** Lock the book rows of `subjectIds` that exist (PostgreSQL; in subject order) and note their books in `found`. */
async function lockRows(db: Executor, tenantId: string, subjectIds: readonly string[], found: Map<string, string>): Promise<void> {
  const rows = await db
    .selectFrom('subject_managers')
    .select(['subject_id', 'staff_id'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', 'in', subjectIds)
    .orderBy('subject_id')
    .forUpdate()
    .execute();
  for (const r of rows) found.set(r.subject_id, r.staff_id);
}

/**
 * Lock (PostgreSQL) and read the book row of each subject, in subject order, one pass, before any
 * write: `target` is the book each subject ends in (null: none). A subject ending in a book is upserted
 * into it (`ON CONFLICT DO UPDATE … WHERE false`, which locks an existing row without writing it): that
 * locks the existing row, or creates it already in its final book, so a first assignment takes its lock in the same pass
 * as the others and leaves no row meaning "no book yet" behind. A subject taken out of every book has
 * its row read `FOR UPDATE` (no row: nothing to lock, nothing to do). Runs of the two kinds are sent
 * one after the other in subject order, so the locks of one call are taken in that order.
 */
async function lockBooks(
  db: Executor,
  tenantId: string,
  target: ReadonlyMap<string, string | null>,
  actor: string,
  at: string,
): Promise<{ found: Map<string, string>; inserted: Set<string> }> {
  const found = new Map<string, string>();
  const inserted = new Set<string>();
  const ids = [...target.keys()].sort();
  const runs: { upsert: boolean; ids: string[] }[] = [];
  for (const id of ids) {
    const upsert = target.get(id) != null;
    const last = runs.at(-1);
    if (last?.upsert === upsert) last.ids.push(id);
    else runs.push({ upsert, ids: [id] });
  }
  for (const run of runs)
    for (const batch of chunks(run.ids)) {
      if (!run.upsert) {
        await lockRows(db, tenantId, batch, found);
        continue;
      }
      // `WHERE false`: an existing row is locked but not rewritten — a customer already in the book a
      // move names gets no new row version (the lock still marks the row, and that is logged).
      // RETURNING then lists only the rows it created; the others are read once locked.
      const rows = await db
        .insertInto('subject_managers')
        .values(
          batch.map((id) => ({ tenant_id: tenantId, subject_id: id, staff_id: target.get(id) ?? '', assigned_at: at, assigned_by: actor })),
        )
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'subject_id'])
            .doUpdateSet({ staff_id: sql.ref('subject_managers.staff_id') })
            .where(sql<boolean>`false`),
        )
        .returning('subject_id')
        .execute();
      for (const r of rows) inserted.add(r.subject_id);
      const existing = batch.filter((id) => !inserted.has(id));
      if (existing.length) {
        const held = await db
          .selectFrom('subject_managers')
          .select(['subject_id', 'staff_id'])
          .where('tenant_id', '=', tenantId)
          .where('subject_id', 'in', existing)
          .execute();
        for (const r of held) found.set(r.subject_id, r.staff_id);
      }
    }
  return { found, inserted };
}

/**
 * Set the manager of each subject (replacing any earlier one), in the caller's transaction, and keep
 * each change in `book_moves` (see `bookMoves`) in the same transaction. Returns the moves made (an
 * assignment to the book a subject is already in makes none). `clock` is read once, after every book
 * row of the call is locked: a move that waited for another is later than it, so `bookMoves` (newest
 * first by `at`) lists a customer's moves in the order they were made.
 *
 * Lock order (PostgreSQL; SQLite runs one writer at a time). Every path that holds a subject's book
 * row and its `subjects` row takes the book row first: an RM's override request, edit or withdrawal
 * reads it `FOR SHARE` (`isManagedBy`) and then bumps the subject's version; a move locks it here
 * and then touches `subjects` only through its foreign keys (`FOR KEY SHARE`, which no version bump
 * or re-tier write conflicts with). Locking the subject row first instead (a first fix) deadlocked
 * against a withdrawal. Every book row of the call is locked in one pass in subject order, before
 * any write, also the rows a first assignment creates (`lockBooks`): two calls over overlapping
 * customers queue rather than deadlock, as long as each makes one call per transaction, or several
 * whose subjects rise from call to call (a managers import moves its staged file a page at a time in
 * ascending subject id: `moveStagedBooks`), so the transaction's locks still come in subject order.
 * A second move of the same customer waits here and reads the book the first left, so the moves chain. An advisory lock per subject would cover first
 * assignments too, but a managers import moving tens of thousands of customers in one transaction
 * would take as many locks from PostgreSQL's shared lock table; row locks cost none.
 */
export async function assignManagers(
  db: Executor,
  tenantId: string,
  assignments: readonly ManagerAssignment[],
  actor: string,
  clock: () => string,
): Promise<MadeMove[]> {
  const postgres = isPostgres(db);
  // Stable: the same subject twice keeps its order (the later assignment wins, each recorded).
  const sorted = [...assignments].sort(bySubject);
  const target = new Map<string, string | null>();
  for (const a of sorted) target.set(a.subjectId, a.staffId);
  let found = new Map<string, string>();
  let inserted = new Set<string>();
  let now: string;
  if (postgres) {
    // The time an upsert writes into a row it creates is rewritten below with the time read after the locks.
    const locked = await lockBooks(db, tenantId, target, actor, clock());
    found = locked.found;
    inserted = locked.inserted;
    // A take-out whose row was not there when it was read may have been inserted since by a call this
    // one then waited for (its insert was not yet visible; `FOR UPDATE` of a missing row locks nothing).
    // Read those again now that what this call waited for has committed, or the take-out would
    // answer 200 and leave the customer in the book the other call put them in.
    const missing = [...target].filter(([id, to]) => to === null && !found.has(id)).map(([id]) => id);
    for (const batch of chunks(missing)) await lockRows(db, tenantId, batch, found);
    now = clock();
  } else {
    now = clock();
    found = await managersOf(db, tenantId, [...target.keys()]);
  }
  const current = new Map(found);
  const moves: Insertable<BookMoveTable>[] = [];
  for (const a of sorted) {
    const from = current.get(a.subjectId) ?? null;
    if (from === a.staffId) continue;
    moves.push({ id: moveId(now), tenant_id: tenantId, subject_id: a.subjectId, from_staff: from, to_staff: a.staffId, at: now, actor });
    if (a.staffId === null) current.delete(a.subjectId);
    else current.set(a.subjectId, a.staffId);
  }
  const gone: string[] = [];
  const fresh: string[] = [];
  const moved = new Map<string, string[]>();
  for (const id of target.keys()) {
    const was = found.get(id);
    const to = current.get(id);
    // A row the upsert created is in its final book already; only its time is the one read before the locks.
    if (inserted.has(id)) listOf(moved, to ?? '').push(id);
    else if (was === to) continue;
    else if (to === undefined) gone.push(id);
    else if (was === undefined) fresh.push(id);
    else listOf(moved, to).push(id);
  }
  for (const batch of chunks(gone))
    await db.deleteFrom('subject_managers').where('tenant_id', '=', tenantId).where('subject_id', 'in', batch).execute();
  // An update, not a delete and insert: a move waiting on the row's lock then reads the new manager.
  for (const [staffId, subjectIds] of moved)
    for (const batch of chunks(subjectIds))
      await db
        .updateTable('subject_managers')
        .set({ staff_id: staffId, assigned_at: now, assigned_by: actor })
        .where('tenant_id', '=', tenantId)
        .where('subject_id', 'in', batch)
        .execute();
  // SQLite only: on PostgreSQL every subject ending in a book went through the upsert.
  for (const batch of chunks(fresh))
    await db
      .insertInto('subject_managers')
      .values(
        batch.map((id) => ({ tenant_id: tenantId, subject_id: id, staff_id: current.get(id) ?? '', assigned_at: now, assigned_by: actor })),
      )
      .execute();
  for (const batch of chunks(moves)) await db.insertInto('book_moves').values(batch).execute();
  return moves.map((m) => ({ subjectId: m.subject_id, from: m.from_staff ?? null, to: m.to_staff ?? null, at: now }));
}

let movesMade = 0;

/**
 * A move's id, which orders moves made at the same instant (`at` has milliseconds, and a test's clock
 * stands still) in the order this process made them; the random tail keeps ids of two processes apart.
 */
function moveId(at: string): string {
  return `${at}.${String(++movesMade).padStart(12, '0')}.${randomUUID().slice(0, 8)}`;
}

/** A subject's moves between books (internal id), newest first, at most `limit`: the wire's {@link BookMove}. */
export async function bookMoves(db: Executor, tenantId: string, subjectId: string, limit: number): Promise<BookMove[]> {
  const rows = await db
    .selectFrom('book_moves')
    .select(['from_staff', 'to_staff', 'at', 'actor', 'recorded'])
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ from: r.from_staff, to: r.to_staff, at: r.at, actor: r.actor, recorded: r.recorded !== 0 }));
}

/** The staff id managing each of the given subjects (internal ids); subjects without a manager are absent. */
export async function managersOf(db: Executor, tenantId: string, subjectIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const batch of chunks(subjectIds)) {
    if (!batch.length) continue;
    const rows = await db
      .selectFrom('subject_managers')
      .select(['subject_id', 'staff_id'])
      .where('tenant_id', '=', tenantId)
      .where('subject_id', 'in', batch)
      // Not for the caller: without it SQLite (no table statistics) reads the covering book index
      // (tenant_id, staff_id, subject_id) from the tenant's first row to its last for every chunk,
      // rather than looking each subject up by the primary key: a managers import of a million
      // customers that moves them a page at a time, or runs again, spent its time in this scan.
      .orderBy('subject_id')
      .execute();
    for (const r of rows) out.set(r.subject_id, r.staff_id);
  }
  return out;
}

/**
 * Whether staff member `staffId` manages the subject (internal id). `hold`: in the caller's transaction
 * the answer holds until it ends — on PostgreSQL the row is read `FOR SHARE`, so a move of the subject
 * to another book (`assignManagers` locks the row `FOR UPDATE` first) waits for it; SQLite serializes
 * writers already. Take it before any lock on the subject's own row (`assignManagers`: lock order).
 */
export async function isManagedBy(
  db: Executor,
  tenantId: string,
  subjectId: string,
  staffId: Books,
  options: { readonly hold?: boolean } = {},
): Promise<boolean> {
  let q = db
    .selectFrom('subject_managers')
    .select(sql<number>`1`.as('one'))
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', subjectId)
    .where('staff_id', 'in', bookIds(staffId));
  if (options.hold && isPostgres(db)) q = q.forShare();
  return (await q.executeTakeFirst()) !== undefined;
}

/** Which of the given staff ids exist in the tenant; with `working`, only those not disabled (a book's possible holders). */
export async function existingStaffIds(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
  options: { readonly working?: boolean } = {},
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const batch of chunks([...new Set(ids)])) {
    if (!batch.length) continue;
    let q = db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('id', 'in', batch);
    if (options.working) q = q.where('disabled_at', 'is', null);
    const rows = await q.execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/**
 * Whether the tenant has a tenant-wide staff member holding one of `roles` who is none of `except`
 * (staff ids): whether anyone but a request's makers could decide it (the approvals queue's
 * `approvalBlocked`). One indexed row at most.
 */
export async function anyTenantWideStaff(
  db: Executor,
  tenantId: string,
  roles: readonly string[],
  except: readonly string[],
): Promise<boolean> {
  if (!roles.length) return false;
  let q = db
    .selectFrom('staff')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('role', 'in', [...roles])
    .where('scope', '!=', 'book')
    // Disabled staff authenticate nothing (`disabled_at`): counting one would say a request can be decided that nobody can.
    .where('disabled_at', 'is', null);
  if (except.length) q = q.where('id', 'not in', [...except]);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Whether the tenant has a book-scoped staff member holding one of `roles`, none of `except`, who
 * reaches subject `subjectId` (internal id): it is in their own book, or in a book of a team they lead
 * — the reach their credentials carry (`reachOf` in the API). With `anyTenantWideStaff`, whether anyone
 * but a request's makers could decide an override request of that customer.
 */
export async function anyBookStaffReaching(
  db: Executor,
  tenantId: string,
  roles: readonly string[],
  except: readonly string[],
  subjectId: string,
): Promise<boolean> {
  if (!roles.length) return false;
  const manager = db
    .selectFrom('subject_managers as sm')
    .select('sm.staff_id')
    .where('sm.tenant_id', '=', tenantId)
    .where('sm.subject_id', '=', subjectId);
  const leads = db
    .selectFrom('teams as t')
    .innerJoin('team_books as b', (j) => j.onRef('b.tenant_id', '=', 't.tenant_id').onRef('b.team_id', '=', 't.id'))
    .select('t.lead_id')
    .where('t.tenant_id', '=', tenantId)
    .where('t.lead_id', 'is not', null)
    .where('b.staff_id', 'in', manager);
  let q = db
    .selectFrom('staff')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('role', 'in', [...roles])
    .where('scope', '=', 'book')
    .where('disabled_at', 'is', null)
    .where((eb) => eb.or([eb('id', 'in', manager), eb('id', 'in', leads)]));
  if (except.length) q = q.where('id', 'not in', [...except]);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/** The names of the given staff ids of the tenant (ids it does not have are absent). */
export async function staffNamesOf(db: Executor, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const batch of chunks([...new Set(ids)])) {
    if (!batch.length) continue;
    const rows = await db.selectFrom('staff').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', batch).execute();
    for (const r of rows) out.set(r.id, r.name);
  }
  return out;
}
