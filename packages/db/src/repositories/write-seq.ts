import { sql } from 'kysely';
import { isPostgres, type Executor } from './executor.js';

/**
 * The next number of the database's write order (the write_seq migration): metric writes and jobs are
 * numbered from it so the monthly schedule can tell which came first without trusting any host's clock.
 * On SQLite call it inside the write's transaction (the counter row is written; SQLite has one writer).
 */
export async function nextWriteSeq(db: Executor): Promise<number> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ seq: string }>`SELECT nextval('write_seq') AS seq`.execute(db);
    return Number(rows[0]?.seq);
  }
  const { rows } = await sql<{ value: number }>`UPDATE write_seq SET value = value + 1 WHERE id = 1 RETURNING value`.execute(db);
  return Number(rows[0]?.value);
}

/** A stored write order (int8 comes back from PostgreSQL as a string), null when not kept. */
export function writeSeqOf(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}
