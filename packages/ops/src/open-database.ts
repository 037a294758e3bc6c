import { connect, isPostgresUrl, migrateToLatest, type Db } from '@tierkit/db';
import { databaseTimeoutsFromEnv, type DatabaseUse } from './settings.js';

/**
 * Open the database and bring its schema up to date; logs where it is (a PostgreSQL password masked).
 * `use` picks the PostgreSQL statement timeout: a request's (seconds) or batch work's (minutes).
 */
export async function openDatabase(url: string, log: (line: string) => void = () => undefined, use: DatabaseUse = 'requests'): Promise<Db> {
  const db = connect({ url, ...databaseTimeoutsFromEnv(use) });
  // A migration may build an index on a large table: on PostgreSQL it runs on a connection of its own
  // with batch work's statement timeout, not a request's.
  const migrating =
    isPostgresUrl(url) && use === 'requests' ? connect({ url, poolSize: 1, ...databaseTimeoutsFromEnv('batch') }) : undefined;
  let ran: string[];
  try {
    ran = await migrateToLatest((migrating ?? db).db);
  } catch (error) {
    await db.close();
    throw error;
  } finally {
    await migrating?.close();
  }
  log(
    `database: ${isPostgresUrl(url) ? url.replace(/:[^:@/]+@/, ':***@') : url} (${db.dialect})${ran.length ? `, migrated: ${ran.join(', ')}` : ''}`,
  );
  return db;
}
