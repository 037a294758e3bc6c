import { isPostgresUrl, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { openSetupConnection } from './open-database.js';

/**
 * Run a tenant's start-up provisioning (tenant, demo seed, bootstrap keys) in one process at a time.
 * Servers started together on a new PostgreSQL database would otherwise each find no tenant and no
 * seed record, and all but one would die on a duplicate key. On PostgreSQL a session advisory lock,
 * held on one connection that `body` runs on, lets the first do the work and the others find it done;
 * it is released when `body` ends or the connection dies with its process. SQLite needs no lock: one
 * machine, and its writers already take turns on the file. `onWait` is told when another process
 * holds the lock (a first seed takes a while).
 *
 * The wait and `body` last as long as a seed does (minutes for 10,000 customers): `db` must allow
 * batch work's statement timeout, not a request's — {@link provisionOnce} opens such a connection.
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

/**
 * A server's start-up provisioning under {@link withProvisioningLock}. On PostgreSQL it runs on a
 * connection with batch work's statement timeout (`TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS`): on the
 * request pool a second server waiting for the first one's seed had its lock wait cancelled after a
 * request's 10 s, and did not start. That is `setup`, the start-up's {@link openSetupConnection} its
 * migrations ran on (the caller closes it), or one opened and closed here. On SQLite it runs on `db`.
 */
export async function provisionOnce<T>(
  db: Db,
  url: string,
  tenantId: string,
  body: (db: Db) => Promise<T>,
  onWait?: () => void,
  env: NodeJS.ProcessEnv = process.env,
  setup?: Db,
): Promise<T> {
  if (!isPostgresUrl(url)) return withProvisioningLock(db, tenantId, body, onWait);
  if (setup) return withProvisioningLock(setup, tenantId, body, onWait);
  const own = openSetupConnection(url, env) as Db;
  try {
    return await withProvisioningLock(own, tenantId, body, onWait);
  } finally {
    await own.close();
  }
}
