import { sql } from 'kysely';
import { executeInBatches, rangeTenant, type Executor } from './executor.js';

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

/**
 * {@link bumpSubjectVersions} for a write of levels: bumps only the tenant's subjects that are not
 * closed, and answers which ones it bumped. The row lock it takes orders the write against a closing
 * of the same customer (setSubjectClosed): whichever comes second waits and sees the first.
 */
export async function bumpOpenSubjectVersions(db: Executor, tenantId: string, subjectIds: Iterable<string>): Promise<Set<string>> {
  const open = new Set<string>();
  await executeInBatches(
    db,
    [...new Set(subjectIds)],
    1000,
    (batch) =>
      db
        .updateTable('subjects')
        .set({ version: sql`version + 1` })
        // Not `tenant_id = ?`: SQLite would walk the tenant's index instead of the ids (rangeTenant).
        .where(rangeTenant(tenantId))
        .where('id', 'in', [...batch])
        .where('closed_at', 'is', null)
        .returning('id'),
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
