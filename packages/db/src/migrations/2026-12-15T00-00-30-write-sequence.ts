import { sql, type Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';

/*
 * One order for metric writes and jobs, taken from the database rather than the clocks of the hosts
 * that write and queue: the monthly schedule tells a month's corrections from data its re-tier read by
 * which came first (packages/api/src/services/jobs/schedule.ts), and two hosts' clocks can disagree by
 * more than the time between the two. PostgreSQL: a sequence (nextval takes no lock a writer waits on).
 * SQLite: a one-row counter, bumped inside the write's own transaction (SQLite has one writer anyway).
 * Rows stored before have no number (null): they are older than every numbered one.
 *
 * `imports.retiered`: the months an import changed that were re-tiered before it, worked out in the
 * import's transaction and stored with its outcome, so GET /v1/imports/{id} tells what POST did and
 * nothing after the commit can fail the request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`CREATE SEQUENCE write_seq`.execute(db);
  else {
    await db.schema
      .createTable('write_seq')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
    await sql`INSERT INTO write_seq (id, value) VALUES (1, 0)`.execute(db);
  }
  await db.schema.alterTable('metric_periods').addColumn('last_write_seq', 'bigint').execute();
  await db.schema.alterTable('jobs').addColumn('write_seq', 'bigint').execute();
  // Each recorded metric write asks for the tenant's jobs numbered after its month's record
  // (recordMetricWrites): a range here, not every job the tenant ever queued.
  await db.schema.createIndex('jobs_tenant_write_seq_idx').on('jobs').columns(['tenant_id', 'write_seq']).execute();
  await db.schema.alterTable('imports').addColumn('retiered', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('retiered').execute();
  await db.schema.dropIndex('jobs_tenant_write_seq_idx').execute();
  await db.schema.alterTable('jobs').dropColumn('write_seq').execute();
  await db.schema.alterTable('metric_periods').dropColumn('last_write_seq').execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`DROP SEQUENCE write_seq`.execute(db);
  else await db.schema.dropTable('write_seq').execute();
}
