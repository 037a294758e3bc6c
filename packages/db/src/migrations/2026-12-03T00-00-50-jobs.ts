import type { Kysely } from 'kysely';

/*
 * Background jobs (re-tiering a book) and their chunks. A job is split into chunks of subjects when
 * it is queued; workers claim one chunk at a time under an expiring lease, and mark it done in the
 * same transaction as its writes — so a chunk is applied once or not at all, whoever crashes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('schedule_key', 'text')
    .addColumn('total_chunks', 'integer', (c) => c.notNull())
    .addColumn('total_subjects', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    // A scheduled job is queued once per tenant and schedule slot, however many servers run the schedule.
    .addUniqueConstraint('jobs_tenant_schedule_uq', ['tenant_id', 'schedule_key'])
    .execute();
  await db.schema.createIndex('jobs_tenant_created_idx').on('jobs').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('jobs_status_idx').on('jobs').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('job_chunks')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    /** Internal subject ids, both included: the chunk is every subject of the tenant in this range. */
    .addColumn('first_subject', 'text', (c) => c.notNull())
    .addColumn('last_subject', 'text', (c) => c.notNull())
    .addColumn('subjects', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('job_chunks_pk', ['job_id', 'seq'])
    .execute();
  await db.schema.createIndex('job_chunks_status_idx').on('job_chunks').columns(['status', 'job_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_chunks').execute();
  await db.schema.dropTable('jobs').execute();
}
