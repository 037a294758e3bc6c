import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/*
 * At most one pending level sign-off per customer and scheme, held by the database: a re-tier chunk
 * that planned its sign-offs before it held the customer's row could open a second one beside the
 * one a metric write had just opened, and an approver then saw the customer twice in the queue.
 *
 * Duplicates already stored are resolved first, as a later evaluation would have: the newest pending
 * one (by request time, then id) stays, each older one is `superseded` by `system`, with the step on
 * its trail naming the level that superseded it, the way a move into another level records it.
 *
 * Undoing drops the index only: the superseded sign-offs were superseded, and a release before this
 * one reads them as it reads any other.
 */
export const PENDING_SIGN_OFF_INDEX = 'level_approvals_one_pending_uq';

export async function up(db: Kysely<any>): Promise<void> {
  const pending = await sql<{
    id: string;
    tenant_id: string;
    subject_id: string;
    scheme: string;
    level: string;
    period: string;
    content_hash: string;
  }>`SELECT l.id, l.tenant_id, l.subject_id, l.scheme, l.level, l.period, l.content_hash
      FROM level_approvals l
      WHERE l.status = 'pending' AND EXISTS (
        SELECT 1 FROM level_approvals o
        WHERE o.tenant_id = l.tenant_id AND o.subject_id = l.subject_id AND o.scheme = l.scheme
          AND o.status = 'pending' AND o.id <> l.id)
      ORDER BY l.tenant_id, l.subject_id, l.scheme, l.requested_at DESC, l.id DESC`.execute(db);
  const now = new Date();
  const at = now.toISOString();
  // Ids of the trail's steps sort after every step written before the upgrade (time, then a counter).
  const stamp = now.getTime().toString(36).padStart(9, '0');
  let kept: (typeof pending.rows)[number] | undefined;
  let n = 0;
  for (const a of pending.rows) {
    if (kept?.tenant_id !== a.tenant_id || kept.subject_id !== a.subject_id || kept.scheme !== a.scheme) {
      kept = a;
      continue;
    }
    await db
      .updateTable('level_approvals')
      .set({ status: 'superseded', decided_by: 'system', decided_at: at, decision_note: null })
      .where('id', '=', a.id)
      .where('status', '=', 'pending')
      .execute();
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
        note: `superseded by ${kept.level} (${kept.period})`,
        content_hash: a.content_hash,
      })
      .execute();
  }
  await db.schema
    .createIndex(PENDING_SIGN_OFF_INDEX)
    .ifNotExists()
    .unique()
    .on('level_approvals')
    .columns(['tenant_id', 'subject_id', 'scheme'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex(PENDING_SIGN_OFF_INDEX).ifExists().execute();
}
