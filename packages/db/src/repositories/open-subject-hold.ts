import { PostgresAdapter } from 'kysely';
import { rangeTenant, reusableQuery, type Executor } from './executor.js';

const holdRow = reusableQuery((db: Executor, tenantId: string, subjectId: string) => {
  const q = db
    .selectFrom('subjects')
    .select('id')
    // Not `tenant_id = ?`: SQLite would walk the tenant's index instead of the id (rangeTenant).
    .where(rangeTenant(tenantId))
    .where('id', '=', subjectId)
    .where('closed_at', 'is', null);
  // The lock an UPDATE of the version takes: a later bump in the same transaction finds it held, and
  // it does not conflict with the `FOR KEY SHARE` a foreign key takes. SQLite runs one writer at a time.
  return db.getExecutor().adapter instanceof PostgresAdapter ? q.forNoKeyUpdate() : q;
});

/**
 * Hold one subject's row for the caller's transaction, only while it is not closed, without moving its
 * version; answers whether it is open. The row lock of {@link bumpOpenSubjectVersions} without its
 * bump: a write that may turn out to change nothing a read shows (a re-evaluation that finds no data,
 * a sign-off decision before its one write) takes the customer first — a closing in flight is waited
 * for and then seen (PostgreSQL re-checks `closed_at` on the row it waited for), a later one waits for
 * this transaction — and moves the version only with what it writes, so kept reads stay good.
 */
export async function holdOpenSubject(db: Executor, tenantId: string, subjectId: string): Promise<boolean> {
  return (await holdRow(db, tenantId, subjectId)).length > 0;
}
