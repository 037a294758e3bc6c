import type { Kysely } from 'kysely';

/*
 * The audit trail and Idempotency-Key replays (packages/api/README.md, "Audit" and "Idempotency").
 *
 * `audit_records` is one hash chain per tenant (`chain` = the tenant id, or `*` for requests whose
 * credential named no tenant we could trust). `audit_heads` keeps each chain's last sequence number
 * and hash: the row appends lock, and the anchor that shows when the tail of a chain was cut.
 * Neither references `tenants`: the `*` chain belongs to no tenant, and an audit trail must outlive
 * what it describes.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_heads')
    .addColumn('chain', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_records')
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('credential', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('problem', 'text')
    .addColumn('unmasked', 'integer', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_records_pk', ['chain', 'seq'])
    .execute();
  await db.schema.createIndex('audit_records_actor_idx').on('audit_records').columns(['chain', 'actor', 'seq']).execute();
  await db.schema.createIndex('audit_records_at_idx').on('audit_records').columns(['chain', 'at']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('content_type', 'text')
    .addColumn('body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'actor', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expiry_idx').on('idempotency_keys').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').ifExists().execute();
  await db.schema.dropTable('audit_records').ifExists().execute();
  await db.schema.dropTable('audit_heads').ifExists().execute();
}
