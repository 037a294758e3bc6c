import type { Db } from '@tierkit/db';
import { sql } from 'kysely';

/**
 * Run a tenant's start-up provisioning (tenant, demo seed, bootstrap keys) in one process at a time.
 * Servers started together on a new PostgreSQL database would otherwise each find no tenant and no
 * seed record, and all but one would die on a duplicate key. On PostgreSQL a session advisory lock,
 * held on one connection that `body` runs on, lets the first do the work and the others find it done;
 * it is released when `body` ends or the connection dies with its process. SQLite needs no lock: one
 * machine, and its writers already take turns on the file. `onWait` is told when another process
 * holds the lock (a first seed takes a while).
 */
export async function withProvisioningLock<T>(
  db: Db,
  tenantId: string,
  body: (db: Db) => Promise<T>,
  onWait: () => void = () => undefined,
): Promise<T> {
  if (db.dialect !== 'postgres') return body(db);
  const key = sql`hashtextextended(${`tierkit-provision:${tenantId}`}, 0)`;
  return db.db.connection().execute(async (conn) => {
    const got = await sql<{ free: boolean }>`SELECT pg_try_advisory_lock(${key}) AS free`.execute(conn);
    if (got.rows[0]?.free !== true) {
      onWait();
      await sql`SELECT pg_advisory_lock(${key})`.execute(conn);
    }
    try {
      return await body({ db: conn, dialect: db.dialect, close: () => db.close() });
    } finally {
      await sql`SELECT pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}
