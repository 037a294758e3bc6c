import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/*
 * A sign-off pending for a level its customer no longer has is superseded (packages/api/README.md,
 * "Approval-required levels"): before this release one stayed pending whatever the data said next, and
 * the queue showed approvers 高 sign-offs of months ago for customers graded 中 since, to be signed
 * blind. Those stored are superseded here as a re-evaluation now would: status `superseded` by
 * `system`, the reason on the item and on a `superseded` step of its trail naming the level the
 * customer has now, and the level's `approval_required` flag cleared (it meant "a sign-off is pending",
 * and none of its level is).
 *
 * The other half of the rule — a level that needs a sign-off with none pending nor decided gets one —
 * needs the policy (which levels need one) and is left to the next evaluation of the customer or the
 * next re-tier job, which checks its customers for it.
 *
 * Undoing changes nothing back: the superseded sign-offs were of levels no longer in force, and a
 * release before this one reads them as it reads any other superseded one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const stale = await sql<{
    id: string;
    tenant_id: string;
    subject_id: string;
    scheme: string;
    content_hash: string;
    now_level: string;
    now_period: string;
  }>`SELECT l.id, l.tenant_id, l.subject_id, l.scheme, l.content_hash, a.level AS now_level, a.period AS now_period
      FROM level_approvals l
      JOIN assignments a ON a.tenant_id = l.tenant_id AND a.subject_id = l.subject_id AND a.scheme = l.scheme
      WHERE l.status = 'pending' AND a.level <> l.level
      ORDER BY l.tenant_id, l.subject_id, l.scheme`.execute(db);
  const now = new Date();
  const at = now.toISOString();
  // Ids of the trail's steps sort after every step written before the upgrade (time, then a counter).
  const stamp = now.getTime().toString(36).padStart(9, '0');
  let n = 0;
  for (const a of stale.rows) {
    const note = `superseded by ${a.now_level} (${a.now_period}), moved before the upgrade`;
    const done = await db
      .updateTable('level_approvals')
      .set({ status: 'superseded', decided_by: 'system', decided_at: at, decision_note: note })
      .where('id', '=', a.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) continue;
    await db
      .insertInto('approval_decisions')
      .values({
        id: `${stamp}${(n++).toString(36).padStart(4, '0')}${createHash('sha256').update(a.id).digest('hex').slice(0, 12)}`,
        tenant_id: a.tenant_id,
        kind: 'level',
        request_id: a.id,
        subject_id: a.subject_id,
        scheme: a.scheme,
        action: 'superseded',
        actor: 'system',
        at,
        note,
        content_hash: a.content_hash,
      })
      .execute();
    await db
      .updateTable('assignments')
      .set({ approval_required: 0 })
      .where('tenant_id', '=', a.tenant_id)
      .where('subject_id', '=', a.subject_id)
      .where('scheme', '=', a.scheme)
      .execute();
  }
}

export async function down(): Promise<void> {}
