import { sql, type Kysely } from 'kysely';

/*
 * A closing dated far back (more than three calendar months before it is recorded) starts the
 * retention clock years early on one person's word, so it waits here for a second person
 * (docs/operations.md, "Retention and erasure"): the customer stays open meanwhile, and the retention
 * run holds a customer with one pending. `at` is the date asked, `late` whether it was said to be learnt
 * late; the counted date (`closedAt`) is worked out when it is approved, against the final months then.
 *
 * One pending request per customer (a partial unique index): two would race to close one customer with
 * two dates. Undoing this drops the table: a release before this one applies such a closing at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('closing_requests')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('late', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('closing_requests_pending_idx')
    .ifNotExists()
    .unique()
    .on('closing_requests')
    .columns(['tenant_id', 'subject_id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('closing_requests_queue_idx')
    .ifNotExists()
    .on('closing_requests')
    .columns(['tenant_id', 'status', 'requested_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('closing_requests').ifExists().execute();
}
