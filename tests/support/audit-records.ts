import { appendAudit, auditHash } from '@tierkit/api';
import type { Db, Executor } from '@tierkit/db';
import { NOW } from './api-fixture.js';

/** `count` more records in `chain`, one second apart from NOW, as the API writes a write's result: records to tamper with. */
export async function appendRecords(db: Executor, chain: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++)
    await appendAudit(db, chain, {
      at: new Date(NOW.getTime() + n * 1000).toISOString(),
      request_id: `req-${chain}-${n}`,
      phase: 'result',
      actor: 'key:key_auditor',
      credential: 'key',
      method: 'PUT',
      route: '/v1/subjects/{id}',
      target: JSON.stringify({ id: `C${n}` }),
      status: 200,
      problem: null,
      unmasked: 0,
    });
}

/**
 * What someone who can write the database does to hide an edit: change record `seq`, then re-hash it and
 * every record after it, each naming the new hash before it, and the head row last.
 */
export async function rewriteConsistently(db: Db, chain: string, seq: number): Promise<void> {
  await db.db.updateTable('audit_records').set({ actor: 'key:someone-else' }).where('chain', '=', chain).where('seq', '=', seq).execute();
  const rows = await db.db.selectFrom('audit_records').selectAll().where('chain', '=', chain).orderBy('seq').execute();
  let prev = rows.find((r) => r.seq === seq - 1)?.hash ?? 'genesis';
  for (const row of rows.filter((r) => r.seq >= seq)) {
    const hash = auditHash({ ...row, prev_hash: prev });
    await db.db.updateTable('audit_records').set({ prev_hash: prev, hash }).where('chain', '=', chain).where('seq', '=', row.seq).execute();
    prev = hash;
  }
  await db.db.updateTable('audit_heads').set({ hash: prev }).where('chain', '=', chain).execute();
}

/**
 * Cut the chain after record `keep` and move its head back to it: the chain alone still verifies. The
 * cut records' personal fields (`audit_personal`) go with them, as a consistent cut leaves no side row
 * naming a record that is gone (and the chain's next records take those seqs).
 */
export async function cutConsistently(db: Db, chain: string, keep: number): Promise<void> {
  await db.db.deleteFrom('audit_records').where('chain', '=', chain).where('seq', '>', keep).execute();
  await db.db.deleteFrom('audit_personal').where('chain', '=', chain).where('seq', '>', keep).execute();
  const last = await db.db
    .selectFrom('audit_records')
    .select('hash')
    .where('chain', '=', chain)
    .where('seq', '=', keep)
    .executeTakeFirstOrThrow();
  await db.db.updateTable('audit_heads').set({ seq: keep, hash: last.hash }).where('chain', '=', chain).execute();
}

/** A count in the records of `chain`'s retention runs (`POST /v1/retention/run`), summed over every run. */
export async function retentionRunCount(db: Executor, chain: string, field: string): Promise<number> {
  const rows = await db
    .selectFrom('audit_records')
    .select('detail')
    .where('chain', '=', chain)
    .where('route', '=', '/v1/retention/run')
    .execute();
  return rows.map((r) => JSON.parse(r.detail ?? '{}') as Record<string, unknown>).reduce((n, d) => n + Number(d[field] ?? 0), 0);
}
