import { randomUUID } from 'node:crypto';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { appendAuditRecord, auditHash } from '../repositories/audit.js';
import type { Executor } from '../repositories/executor.js';

/** What the switch-point record's route names: this migration. */
export const AUDIT_PERSONAL_SWITCH = '2026-12-20T00-00-20-audit-personal';

/*
 * The audit trail's personal fields, made erasable (docs/operations.md, "Erasing the trail's personal
 * fields"). A record that names a customer keeps their number and the staff-typed texts about them in
 * `audit_personal`, salted, and only their digest (`audit_records.personal_digest`), which its hash
 * covers in their place: a retention run deletes the side row and the chain still verifies.
 *
 * Records already written cannot be re-hashed (anchors and exported months name their hashes): each
 * chain gets one `system` record here, the switch point, after which its writers split. A record
 * without a digest hashes as it always did, so the old records verify by the old rule.
 *
 * Undoing keeps both: dropping them would lose the personal fields while the digests stay sealed. A
 * release before this one writes records without a digest, which verify as before, but hashes those
 * with one without it: its verify fails from the switch point on. Do not downgrade past it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tables = await db.introspection.getTables();
  const records = tables.find((t) => t.name === 'audit_records');
  const hasTable = tables.some((t) => t.name === 'audit_personal');
  if (!records?.columns.some((c) => c.name === 'personal_digest')) {
    await db.schema.alterTable('audit_records').addColumn('personal_digest', 'text').execute();
    // A trail without the column was made anew (the audit tables undone and done again): side rows
    // left from the one before name records that are gone, at seqs the new chain will take.
    if (hasTable) await db.deleteFrom('audit_personal').execute();
  }
  if (hasTable) return;
  await db.schema
    .createTable('audit_personal')
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addPrimaryKeyConstraint('audit_personal_pk', ['chain', 'seq'])
    // On SQLite the rows live in their key's own tree, not in a rowid table beside a key index: one
    // tree fewer for every audited write to change and commit (PostgreSQL has no such choice).
    .$call((t) => (db.getExecutor().adapter instanceof PostgresAdapter ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  // An erasure deletes by customer number, 500 customers at a time.
  await db.schema.createIndex('audit_personal_subject_idx').on('audit_personal').columns(['chain', 'subject']).execute();
  const at = new Date().toISOString();
  const chains = (await db.selectFrom('audit_heads').select(['chain', 'seq']).where('seq', '>', 0).orderBy('chain').execute()) as {
    chain: string;
    seq: number;
  }[];
  for (const { chain, seq } of chains) {
    const fields = {
      at,
      request_id: randomUUID(),
      phase: 'change',
      actor: 'system:migration',
      credential: 'system',
      method: 'MIGRATE',
      route: AUDIT_PERSONAL_SWITCH,
      target: '{}',
      status: null,
      problem: null,
      unmasked: 0,
      detail: JSON.stringify({ auditPersonal: 'split', recordsBefore: Number(seq) }),
    };
    await appendAuditRecord(db as unknown as Executor, chain, fields, (s, prevHash) =>
      auditHash({ chain, seq: s, prev_hash: prevHash, ...fields }),
    );
  }
}

export async function down(): Promise<void> {}
