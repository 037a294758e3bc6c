import { sql, type Kysely } from 'kysely';

/*
 * Four eyes (packages/api/README.md, "Four eyes"). An override request gets a lifecycle (`status`:
 * pending → approved | rejected | withdrawn; approved → revoked), the hash of the content it was
 * submitted with, and who decided it, when and why. Approval-required levels get their own requests
 * (`level_approvals`), and every step of either — requested, edited, withdrawn, approved, rejected,
 * revoked, superseded, reviewed — is one row of `approval_decisions`, never updated.
 *
 * Existing overrides were inserted by hand already approved (or not): they become `approved`
 * (`revoked` when revoked) or `pending`, with an empty content hash — an approval of such a pending
 * row must first see its content through the API, which computes the hash afresh on every read.
 */

const OVERRIDE_COLUMNS = [
  ['status', 'text'],
  ['content_hash', 'text'],
  ['updated_at', 'text'],
  ['decided_by', 'text'],
  ['decided_at', 'text'],
  ['decision_note', 'text'],
  ['revoked_by', 'text'],
  ['revoke_note', 'text'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const [name, type] of OVERRIDE_COLUMNS) await db.schema.alterTable('overrides').addColumn(name, type).execute();
  await sql`UPDATE overrides SET status = CASE
      WHEN revoked_at IS NOT NULL THEN 'revoked'
      WHEN approved_by IS NOT NULL THEN 'approved'
      ELSE 'pending' END,
    content_hash = '', updated_at = created_at,
    decided_by = approved_by, decided_at = CASE WHEN approved_by IS NOT NULL THEN created_at END`.execute(db);
  await db.schema.createIndex('overrides_tenant_status_idx').on('overrides').columns(['tenant_id', 'status', 'created_at']).execute();

  await db.schema
    .createTable('level_approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('from_level', 'text')
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('level_approvals_subject_idx')
    .on('level_approvals')
    .columns(['tenant_id', 'subject_id', 'scheme', 'status'])
    .execute();
  await db.schema
    .createIndex('level_approvals_status_idx')
    .on('level_approvals')
    .columns(['tenant_id', 'status', 'requested_at'])
    .execute();

  await db.schema
    .createTable('approval_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('content_hash', 'text')
    .execute();
  await db.schema
    .createIndex('approval_decisions_request_idx')
    .on('approval_decisions')
    .columns(['tenant_id', 'kind', 'request_id'])
    .execute();
  await db.schema
    .createIndex('approval_decisions_subject_idx')
    .on('approval_decisions')
    .columns(['tenant_id', 'subject_id', 'scheme', 'action'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('approval_decisions').execute();
  await db.schema.dropTable('level_approvals').execute();
  await db.schema.dropIndex('overrides_tenant_status_idx').execute();
  for (const [name] of [...OVERRIDE_COLUMNS].reverse()) await db.schema.alterTable('overrides').dropColumn(name).execute();
}
