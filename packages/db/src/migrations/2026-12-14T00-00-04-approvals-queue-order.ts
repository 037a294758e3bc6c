import { PostgresAdapter, sql, type Kysely } from 'kysely';

/*
 * The approvals queue reads one page of pending requests at a time, in byte order of request time
 * and id (`COLLATE "C"` on PostgreSQL, so the order is the one the API has always given whatever the
 * database's collation). An index on the time in the database's collation cannot serve that order or
 * a cursor's range, so a page of a queue of fifty thousand sign-offs read and sorted all of them:
 * these are on the time in byte order, pending rows only.
 *
 * SQLite compares text byte-wise already (BINARY), so the indexes on (tenant, status, time) of the
 * four-eyes migration serve the same reads there: nothing to add.
 */
export const PENDING_QUEUE_INDEXES = ['level_approvals_pending_queue_idx', 'overrides_pending_queue_idx'] as const;

// Its own copy, not the repositories' isPostgres: a migration is self-contained, so it runs as written.
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`CREATE INDEX IF NOT EXISTS level_approvals_pending_queue_idx
    ON level_approvals (tenant_id, requested_at COLLATE "C") WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS overrides_pending_queue_idx
    ON overrides (tenant_id, created_at COLLATE "C", id COLLATE "C") WHERE status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const name of PENDING_QUEUE_INDEXES) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
}
