import { sql, type Kysely } from 'kysely';

/*
 * Which months of metrics each tenant has, per metric, and when they were last written: what the
 * monthly schedule waits for (a month is re-tiered once its data has arrived and gone quiet) and what
 * `POST /v1/jobs` checks (a month with no data is refused). The metrics table has no index that
 * answers "any row of this tenant and month" without scanning the book, and no write times at all.
 * Months already stored count as written long ago: their loads are over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('metric_periods')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('first_written_at', 'text', (c) => c.notNull())
    .addColumn('last_written_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_periods_pk', ['tenant_id', 'period', 'metric'])
    .execute();
  await sql`INSERT INTO metric_periods (tenant_id, period, metric, first_written_at, last_written_at)
    SELECT tenant_id, period, metric, '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'
    FROM metrics GROUP BY tenant_id, period, metric`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('metric_periods').execute();
}
