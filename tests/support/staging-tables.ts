import { sql } from 'kysely';
import type { Db } from '@tierkit/db';

/**
 * How many of an import's temporary staging tables are left: on PostgreSQL in any session (pg_class
 * lists every session's), on SQLite in its one connection — where one left behind would make the
 * next import's creating it fail.
 */
export async function stagingLeft(db: Db, names: readonly string[]): Promise<number> {
  if (db.dialect === 'postgres')
    return Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM pg_class WHERE relname IN (${sql.join(names)})`.execute(db.db)).rows[0]?.n,
    );
  return Number(
    (await sql<{ n: number }>`SELECT count(*) AS n FROM temp.sqlite_master WHERE name IN (${sql.join(names)})`.execute(db.db)).rows[0]?.n,
  );
}
