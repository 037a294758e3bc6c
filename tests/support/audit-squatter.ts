import type { Executor } from '@tierkit/db';

/**
 * A record squatting on `chain`'s next place (after its head, or first), so the next append fails as
 * a broken audit table would: for tests of what a write does when its audit record cannot be written.
 */
export async function occupyNextAuditPlace(db: Executor, chain: string, at: Date = new Date()): Promise<void> {
  const head = await db.selectFrom('audit_heads').select(['seq']).where('chain', '=', chain).executeTakeFirst();
  await db
    .insertInto('audit_records')
    .values({
      chain,
      seq: (head?.seq ?? 0) + 1,
      at: at.toISOString(),
      request_id: 'squatter',
      phase: 'request',
      actor: 'anonymous',
      credential: 'none',
      method: 'GET',
      route: '/',
      target: '{}',
      status: 401,
      problem: null,
      unmasked: 0,
      prev_hash: 'x',
      hash: 'x',
      detail: null,
    })
    .execute();
}
