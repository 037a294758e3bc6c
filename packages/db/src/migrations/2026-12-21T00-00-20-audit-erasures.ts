import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAuditRecord, auditHash, ERASED_AUDIT_SEQS, erasedSeqsText } from '../repositories/audit.js';
import type { Executor } from '../repositories/executor.js';

/** What the record this migration appends names as its route. */
export const AUDIT_ERASURES_SWITCH = '2026-12-21T00-00-20-audit-erasures';

/*
 * From this release a retention run names the records whose side rows (`audit_personal`) it deleted, and
 * verify reports a record with a digest and no side row that no erasure record names: a side row deleted
 * by hand (docs/operations.md, "Retention and erasure of closed customers"). Runs of the release before
 * named nothing: each chain with such records gets one `system` record here naming them, so they verify
 * as erased. What was deleted by hand before this migration is vouched for with them; it cannot be told
 * apart any more, and the record says when the rule began.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const at = new Date().toISOString();
  const rows = (await db
    .selectFrom('audit_records as r')
    .leftJoin('audit_personal as p', (j) => j.onRef('p.chain', '=', 'r.chain').onRef('p.seq', '=', 'r.seq'))
    .select(['r.chain as chain', 'r.seq as seq'])
    .where('r.personal_digest', 'is not', null)
    .where('p.seq', 'is', null)
    .orderBy('r.chain')
    .orderBy('r.seq')
    .execute()) as { chain: string; seq: number }[];
  const byChain = new Map<string, number[]>();
  for (const r of rows) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), Number(r.seq)]);
  for (const [chain, seqs] of byChain) {
    const fields = {
      at,
      request_id: randomUUID(),
      phase: 'change',
      actor: 'system:migration',
      credential: 'system',
      method: 'MIGRATE',
      route: AUDIT_ERASURES_SWITCH,
      target: '{}',
      status: null,
      problem: null,
      unmasked: 0,
      detail: JSON.stringify({ auditPersonal: 'erased-before', records: seqs.length, [ERASED_AUDIT_SEQS]: erasedSeqsText(seqs) }),
    };
    await appendAuditRecord(db as unknown as Executor, chain, fields, (s, prevHash) =>
      auditHash({ chain, seq: s, prev_hash: prevHash, ...fields }),
    );
  }
}

/** Nothing to undo: the record stays in its chain, as every record does. */
export async function down(): Promise<void> {}
