import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AUDIT_ERASURES_MIGRATION, appendAuditRecord, auditHash, ERASED_AUDIT_SEQS, erasedSeqsText } from '../repositories/audit.js';
import type { Executor } from '../repositories/executor.js';

/** What the record this migration appends names as its route. */
export const AUDIT_ERASURES_SWITCH = AUDIT_ERASURES_MIGRATION;

/** Records read per statement: a large trail's upgrade never holds the whole table's matches in one result. */
const PAGE = 10_000;

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
  // Chain by chain (every chain has a head row), in seq order through the primary key, a page at a time:
  // only records with a digest and no side row are returned, seqs only.
  const chains = (await db.selectFrom('audit_heads').select('chain').orderBy('chain').execute()) as { chain: string }[];
  for (const { chain } of chains) {
    const seqs: number[] = [];
    for (let after = 0; ; ) {
      const page = (await db
        .selectFrom('audit_records as r')
        .leftJoin('audit_personal as p', (j) => j.onRef('p.chain', '=', 'r.chain').onRef('p.seq', '=', 'r.seq'))
        .select('r.seq as seq')
        .where('r.chain', '=', chain)
        .where('r.seq', '>', after)
        .where('r.personal_digest', 'is not', null)
        .where('p.seq', 'is', null)
        .orderBy('r.seq')
        .limit(PAGE)
        .execute()) as { seq: number | string }[];
      for (const r of page) seqs.push(Number(r.seq));
      if (page.length < PAGE) break;
      after = seqs[seqs.length - 1] as number;
    }
    if (!seqs.length) continue;
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
