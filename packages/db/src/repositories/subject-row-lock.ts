import { isPostgres, rangeTenant, type Executor } from './executor.js';

/**
 * The row lock every hold of customers takes: `holdSubjects` (subjects.ts) and the one-row hold of an
 * open customer (subject-versions.ts) build on it, so the two cannot drift apart; kept out of the
 * package's exports. PostgreSQL: `FOR NO KEY UPDATE`, the lock an UPDATE of the version takes, so a
 * later bump in the same transaction finds it held, with no conflict with the `FOR KEY SHARE` a foreign
 * key takes (an insert referencing the customer does not wait). With ORDER BY, PostgreSQL locks the
 * rows as the sort hands them out: in id order. SQLite has no row locks and runs one writer at a time:
 * there it is a plain read. `tenant_id` through rangeTenant: SQLite would otherwise walk the tenant's
 * index instead of the ids.
 */
export function subjectRowsLock(db: Executor, tenantId: string, ids: string | readonly string[]) {
  const q = db
    .selectFrom('subjects')
    .select(['id', 'external_id', 'kind', 'closed_at'])
    .where(rangeTenant(tenantId))
    .where('id', 'in', typeof ids === 'string' ? [ids] : ids)
    .orderBy('id');
  return isPostgres(db) ? q.forNoKeyUpdate() : q;
}
