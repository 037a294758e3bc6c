import { sql, type Kysely } from 'kysely';

/*
 * A metric's audience lowered (compliance → staff → customer) exposes a figure to more eyes — made
 * customer-facing, a customer scheme may draw a line on it — so it waits here for a second tenant-wide
 * admin, as a staff grant does (docs/policy-format.md, "The metric catalogue"). `before` is the entry as
 * the maker saw it, `after` the entry asked for (JSON, `MetricDef`); an approval applies only while the
 * catalogue still holds `before`.
 *
 * One pending request per metric (a partial unique index): a second one would decide against a
 * `before` the first changes. Undoing this drops the table: a release before this one lets an admin
 * lower an audience at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('metric_audience_requests')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull())
    .addColumn('after', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('metric_audience_requests_pending_idx')
    .ifNotExists()
    .unique()
    .on('metric_audience_requests')
    .columns(['tenant_id', 'metric'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('metric_audience_requests_queue_idx')
    .ifNotExists()
    .on('metric_audience_requests')
    .columns(['tenant_id', 'status', 'requested_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('metric_audience_requests').ifExists().execute();
}
