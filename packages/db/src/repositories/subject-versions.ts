import { sql } from 'kysely';
import { executeInBatches, isPostgres, rangeTenant, reusableQuery, type Executor } from './executor.js';
import { subjectRowsLock } from './subject-row-lock.js';
import { holdSubjects } from './subjects.js';

/**
 * Bump `subjects.version` (what read ETags and the read cache key by) of every subject listed, once
 * each however often it is listed. Every repository function that writes assignments, overrides or
 * tier events calls it in the same transaction as its write; no trigger does it any more (migration
 * 2026-12-05T00-00-20-subject-version-explicit), so that a re-tier chunk bumps a thousand subjects in
 * one statement instead of two single-row updates per subject.
 */
export async function bumpSubjectVersions(db: Executor, subjectIds: Iterable<string>): Promise<void> {
  await executeInBatches(
    db,
    [...new Set(subjectIds)],
    1000,
    (batch) =>
      db
        .updateTable('subjects')
        // Literal SQL, not a bound 1: the batch's only parameters are its ids (executeInBatches).
        .set({ version: sql`version + 1` })
        .where('id', 'in', [...batch]),
    'subjects.bump-version',
    (id, out) => out.push(id),
  );
}

/*
 * One open customer's row lock: the lock of {@link holdSubjects} (subjectRowsLock, subject-row-lock.ts) on one
 * row, compiled once per dialect since a single customer's re-evaluation takes it on every metric
 * write. `closed_at is null` in the statement: PostgreSQL re-checks it on a row it waited for, so a
 * closing in flight is seen.
 */
const openSubjectRow = reusableQuery((db: Executor, tenantId: string, subjectId: string) =>
  subjectRowsLock(db, tenantId, subjectId).where('closed_at', 'is', null),
);

/**
 * Hold one subject's row for the caller's transaction, only while it is not closed, without moving its
 * version; answers whether it is open. The row lock of {@link bumpOpenSubjectVersions} without its
 * bump: a write that may turn out to change nothing a read shows (a re-evaluation that finds no data,
 * a sign-off decision before its one write, a step of a pending override request) takes the customer
 * first — a closing in flight is waited for and then seen (PostgreSQL re-checks `closed_at` on the row
 * it waited for), a later one waits for this transaction — and moves the version only with what it
 * writes, so kept reads stay good.
 */
export async function holdOpenSubject(db: Executor, tenantId: string, subjectId: string): Promise<boolean> {
  return (await openSubjectRow(db, tenantId, subjectId)).length > 0;
}

/**
 * {@link bumpSubjectVersions} for a write of levels: bumps only the tenant's subjects that are not
 * closed, and answers which ones it bumped. The row lock it takes orders the write against a closing
 * of the same customer (setSubjectClosed): whichever comes second waits and sees the first.
 * `held`: the caller holds every one of them already ({@link holdSubjects} in this transaction), so
 * the bump takes no lock it has to wait for and needs no pass of its own to order them.
 */
export async function bumpOpenSubjectVersions(
  db: Executor,
  tenantId: string,
  subjectIds: Iterable<string>,
  held = false,
): Promise<Set<string>> {
  const open = new Set<string>();
  const ids = [...new Set(subjectIds)].sort();
  // One row has no order to keep: the bump below locks it (and re-checks `closed_at` after a wait) in
  // one statement. A single-subject re-evaluation takes this path on every write.
  // An UPDATE … WHERE id IN (…) locks rows in the order it finds them on disk, not by id; another
  // writer locking the same customers one by one in id order (a policy approval's re-evaluation of the
  // book) could then deadlock with a re-tier chunk. So they are held in id order first, and the bump
  // below finds them held. SQLite has one writer at a time and no row locks. Closed rows too: a
  // reopening in flight is waited for here, in id order, not met by the bump out of it.
  if (ids.length > 1 && !held && isPostgres(db)) await holdSubjects(db, tenantId, ids);
  if (!isPostgres(db)) return bumpOpenCounted(db, tenantId, ids);
  await executeInBatches(
    db,
    ids,
    1000,
    (batch) => bumpOpen(db, tenantId, batch).returning('id'),
    'subjects.bump-open-version',
    // The batch's parameters: the tenant, then its ids (a batch's array starts empty).
    (id, out) => {
      if (out.length === 0) out.push(tenantId);
      out.push(id);
    },
    (rows) => {
      for (const r of rows) open.add((r as { id: string }).id);
    },
  );
  return open;
}

/** The one bump of open subjects' versions, both dialects' (PostgreSQL adds `RETURNING`). */
const bumpOpen = (db: Executor, tenantId: string, batch: readonly string[]) =>
  db
    .updateTable('subjects')
    .set({ version: sql`version + 1` })
    // Not `tenant_id = ?`: SQLite would walk the tenant's index instead of the ids (rangeTenant).
    .where(rangeTenant(tenantId))
    .where('id', 'in', [...batch])
    .where('closed_at', 'is', null);

/** `tenant_id` and `closed_at is null` as the bump's WHERE: the rows a bump of open subjects moves. */
const openOfTenant = (db: Executor, tenantId: string, batch: readonly string[]) =>
  // Not `tenant_id = ?`: SQLite would walk the tenant's index instead of the ids (rangeTenant).
  db
    .selectFrom('subjects')
    .select('id')
    .where(rangeTenant(tenantId))
    .where('id', 'in', [...batch])
    .where('closed_at', 'is', null);

/**
 * {@link bumpOpenSubjectVersions} on SQLite: the bump counts the rows it moved instead of returning
 * them. SQLite's RETURNING stores every row in a table of its own before handing it back, and that
 * was a third of a re-tier chunk's bump (about 1 µs of 3 per subject, BENCHMARKS.md, session 37).
 * Nearly always every subject is open and the count says so; when it falls short (a customer closed,
 * an id of another tenant) the open ones are read back. Nothing else writes in between: SQLite has
 * one writer, and this transaction holds the file.
 */
async function bumpOpenCounted(db: Executor, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  let bumped = 0;
  await executeInBatches(
    db,
    ids,
    1000,
    (batch) => bumpOpen(db, tenantId, batch),
    'subjects.bump-open-version-counted',
    (id, out) => {
      if (out.length === 0) out.push(tenantId);
      out.push(id);
    },
    (_rows, affected) => {
      bumped += Number(affected ?? 0);
    },
  );
  if (bumped === ids.length) return new Set(ids);
  const open = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000)
    for (const r of await openOfTenant(db, tenantId, ids.slice(i, i + 1000)).execute()) open.add(r.id);
  return open;
}
