import { connect, isPostgresUrl, migrateToLatest, type Db } from '@tierkit/db';

/** Open the database and bring its schema up to date; logs where it is (a PostgreSQL password masked). */
export async function openDatabase(url: string, log: (line: string) => void = () => undefined): Promise<Db> {
  const db = connect({ url });
  const ran = await migrateToLatest(db.db);
  log(
    `database: ${isPostgresUrl(url) ? url.replace(/:[^:@/]+@/, ':***@') : url} (${db.dialect})${ran.length ? `, migrated: ${ran.join(', ')}` : ''}`,
  );
  return db;
}
