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
 * writer's own commits would not move it. PostgreSQL has no such token short of a snapshot compared
 * in one transaction, so it gets none: what would be reused there is computed again.
 */
export async function dataVersion(db: Executor): Promise<string | undefined> {
  if (isPostgres(db) || db.isTransaction) return undefined;
  const { rows } = await sql<{ v: number; ro: number }>`
    select data_version as v, (select query_only from pragma_query_only()) as ro from pragma_data_version()`.execute(db);
  const row = rows[0];
  return row !== undefined && Number(row.ro) === 1 ? `sqlite:${row.v}` : undefined;
}
