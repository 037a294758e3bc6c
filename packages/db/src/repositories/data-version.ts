import { sql } from 'kysely';
import { isPostgres, type Executor } from './executor.js';

/**
 * A token that changes whenever anything is committed to the database, for a result that may be
 * reused only while nothing was: equal tokens read before and after a query mean the query saw the
 * data a later equal token still describes. Undefined when there is no such token to be had cheaply.
 *
 * SQLite: `data_version` of the read connection, which moves with every commit of any other
 * connection — this process's writer, a re-tier thread, another process. It is read only when it ran
 * on that read connection (`query_only`): on the writer (an in-memory database, a transaction) the
 * writer's own commits would not move it.
 *
 * PostgreSQL: the statement's snapshot (`pg_current_snapshot()`: xmin, xmax and the transaction ids
 * in progress). A write has a transaction id from its first changed row (a subtransaction's parent
 * gets one first, and they commit as one), and its commit moves the next snapshot: an id below the
 * last snapshot's xmax leaves the in-progress list, and one at or above it raises xmax, since xmax is one past the latest id to finish. So two equal snapshots mean nothing
 * was committed between them, by any server or process on the cluster, and every snapshot taken
 * between saw the same data. As coarse as SQLite's: a commit of any table, tenant or database of the
 * cluster moves it (a busy cluster rarely holds one still for long; then the caller computes again).
 * Not inside a transaction, whose snapshot may be its first statement's. None on a hot standby: there
 * every running transaction id is kept in the snapshot's subtransaction list, which
 * pg_current_snapshot() leaves out, so a commit below xmax while an older transaction still runs
 * would leave the text unchanged. The postmaster's start time is part of the token, so a snapshot of
 * a server restarted, or of another one the same address now leads to (a failover), never matches.
 */
export async function dataVersion(db: Executor): Promise<string | undefined> {
  if (db.isTransaction) return undefined;
  if (isPostgres(db)) {
    const { rows } = await sql<{ v: string; standby: boolean }>`
      select pg_current_snapshot()::text || '@' || extract(epoch from pg_postmaster_start_time())::text as v, pg_is_in_recovery() as standby`.execute(
      db,
    );
    const row = rows[0];
    return row === undefined || row.standby ? undefined : `pg:${row.v}`;
  }
  const { rows } = await sql<{ v: number; ro: number }>`
    select data_version as v, (select query_only from pragma_query_only()) as ro from pragma_data_version()`.execute(db);
  const row = rows[0];
  return row !== undefined && Number(row.ro) === 1 ? `sqlite:${row.v}` : undefined;
}
