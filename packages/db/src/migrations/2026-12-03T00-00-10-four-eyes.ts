import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/*
 * Four eyes (packages/api/README.md, "Four eyes"). An override request gets a lifecycle (`status`:
 * pending → approved | rejected | withdrawn; approved → revoked), the hash of the content it was
 * submitted with, and who decided it, when and why. Approval-required levels get their own requests
 * (`level_approvals`), and every step of either — requested, edited, withdrawn, approved, rejected,
 * revoked, superseded, reviewed — is one row of `approval_decisions`, never updated.
 *
 * Existing assignments flagged `approval_required` (the engine's "moved into an approval-required
 * level this month") get a pending sign-off, so the flag — which now means "a sign-off is pending" —
 * can be cleared by an approver instead of vanishing at the next evaluation.
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
  await openPendingSignOffs(db);
}

/**
 * The hash the API computes for a level sign-off (`contentHash` of `levelContent` in
 * packages/api/src/services): canonical JSON of a flat object is its keys in sorted order.
 */
function levelHash(content: Record<string, string | number | null>): string {
  const sorted = Object.fromEntries(
    Object.keys(content)
      .sort()
      .map((k) => [k, content[k]]),
  );
  return `sha256:${createHash('sha256').update(JSON.stringify(sorted), 'utf8').digest('hex')}`;
}

async function openPendingSignOffs(db: Kysely<any>): Promise<void> {
  const flagged = await sql<{
    tenant_id: string;
    subject_id: string;
    external_id: string;
    scheme: string;
    level: string;
    previous_level: string | null;
    period: string;
    policy_version: number;
    evaluated_at: string;
  }>`SELECT a.tenant_id, a.subject_id, s.external_id, a.scheme, a.level, a.previous_level, a.period, a.policy_version, a.evaluated_at
      FROM assignments a JOIN subjects s ON s.id = a.subject_id AND s.tenant_id = a.tenant_id
      WHERE a.approval_required = 1`.execute(db);
  for (const [i, a] of flagged.rows.entries()) {
    const content = {
      subject: a.external_id,
      scheme: a.scheme,
      level: a.level,
      from: a.previous_level,
      period: a.period,
      policyVersion: Number(a.policy_version),
    };
    await db
      .insertInto('level_approvals')
      .values({
        id: `lvl_migrated_${String(i).padStart(8, '0')}_${createHash('sha256').update(`${a.tenant_id}:${a.subject_id}:${a.scheme}`).digest('hex').slice(0, 12)}`,
        tenant_id: a.tenant_id,
        subject_id: a.subject_id,
        scheme: a.scheme,
        level: a.level,
        from_level: a.previous_level,
        period: a.period,
        policy_version: Number(a.policy_version),
        requested_by: 'system',
        requested_at: a.evaluated_at,
        status: 'pending',
        content_hash: levelHash(content),
        decided_by: null,
        decided_at: null,
        decision_note: null,
      })
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('approval_decisions').execute();
  await db.schema.dropTable('level_approvals').execute();
  await db.schema.dropIndex('overrides_tenant_status_idx').execute();
  for (const [name] of [...OVERRIDE_COLUMNS].reverse()) await db.schema.alterTable('overrides').dropColumn(name).execute();
}
