import { sql } from 'kysely';
import type { Executor } from '@tierkit/db';

/** Polls of `pg_stat_activity` before a test gives up on a lock wait it expects: it fails, never spins on. */
const MAX_POLLS = 2000;

/** The PostgreSQL backend of a transaction, to ask later who waits for its locks. */
export async function backendPid(trx: Executor): Promise<number> {
  return (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid ?? 0;
}

/**
 * Until some statement waits for a lock `holder` (a backend pid) holds, so a test orders two
 * transactions by their locks rather than by sleeping. Throws after MAX_POLLS looks.
 */
export async function blockedBy(db: Executor, holder: number): Promise<void> {
  for (let i = 0; i < MAX_POLLS; i++) {
    const n = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND ${holder}::int = ANY(pg_blocking_pids(pid))`.execute(db)
    ).rows[0]?.n;
    if (n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`nothing waited for backend ${holder}'s locks`);
}
