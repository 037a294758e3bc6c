import {
  appendDecision,
  changeOverride,
  decideLevelApproval,
  findPendingLevelApproval,
  pendingLevelSchemes,
  pendingOverridesOfForUpdate,
  setAssignmentPending,
  setSubjectClosed,
  type Executor,
} from '@tierkit/db';
import { sortableId } from '../ids.js';
import { overrideHash } from './override-requests.js';

/** The note a closing leaves on every request it withdraws, and on each request's audit step. */
export const CLOSING_WITHDRAWAL_NOTE = 'customer closed';

/** What a closing withdrew, for the caller's audit record. */
export interface ClosingWithdrawals {
  readonly overrides: readonly string[];
  readonly signOffs: readonly string[];
}

/**
 * Close an open customer (the one path of the API and of an import) and withdraw, in the same
 * transaction, whatever of theirs waits for a second person: pending override requests and pending
 * level sign-offs. A checker deciding one later would grant an exception to, or vouch for the grade
 * of, someone who is no longer a customer; left pending, they would sit in the approvals queue for
 * good. Each withdrawal is the item's own state (`withdrawn`, by the closing's actor, note
 * "customer closed") and a step of its audit trail. A reopening brings none back: the data they
 * were about may be months old by then, and the next evaluation or a new request opens them afresh.
 *
 * Lock order (PostgreSQL): the override requests first, then the subject's row (`setSubjectClosed`),
 * then its sign-offs — the order of an override step (request, then subject) and of a level write
 * (subject, then sign-off), so a closing queues behind either rather than deadlocking with it.
 * Returns null, having changed nothing, when the customer was closed already.
 */
export async function closeSubject(
  trx: Executor,
  tenantId: string,
  subjectId: string,
  closed: { readonly at: string; readonly reason: string | null },
  actor: string,
  nowIso: string,
): Promise<ClosingWithdrawals | null> {
  const pendingOverrides = await pendingOverridesOfForUpdate(trx, tenantId, subjectId);
  if (!(await setSubjectClosed(trx, tenantId, subjectId, closed, nowIso))) return null;
  const overrides: string[] = [];
  for (const r of pendingOverrides) {
    const done = { status: 'withdrawn', decidedBy: actor, decidedAt: nowIso, decisionNote: CLOSING_WITHDRAWAL_NOTE } as const;
    // Held since the read above, so the guarded write cannot miss; checked all the same.
    if (
      !(await changeOverride(
        trx,
        tenantId,
        r.override.id,
        { status: 'pending', contentHash: r.contentHash },
        { ...done, updatedAt: nowIso },
      ))
    )
      continue;
    await appendDecision(trx, tenantId, {
      id: sortableId(new Date(nowIso)),
      kind: 'override',
      requestId: r.override.id,
      subjectId,
      scheme: r.override.scheme,
      action: 'withdrawn',
      actor,
      at: nowIso,
      note: CLOSING_WITHDRAWAL_NOTE,
      contentHash: overrideHash({ ...r, ...done }),
    });
    overrides.push(r.override.id);
  }
  const signOffs: string[] = [];
  for (const scheme of [...(await pendingLevelSchemes(trx, tenantId, subjectId))].sort()) {
    const a = await findPendingLevelApproval(trx, tenantId, subjectId, scheme);
    if (!a) continue;
    const decision = { status: 'withdrawn', by: actor, at: nowIso, note: CLOSING_WITHDRAWAL_NOTE } as const;
    if (!(await decideLevelApproval(trx, tenantId, a.id, a.contentHash, decision))) continue;
    await appendDecision(trx, tenantId, {
      id: sortableId(new Date(nowIso)),
      kind: 'level',
      requestId: a.id,
      subjectId,
      scheme,
      action: 'withdrawn',
      actor,
      at: nowIso,
      note: CLOSING_WITHDRAWAL_NOTE,
      contentHash: a.contentHash,
    });
    // Nobody is asked to sign the level off any more: reads stop showing it as waiting.
    await setAssignmentPending(trx, tenantId, subjectId, scheme, false);
    signOffs.push(a.id);
  }
  return { overrides, signOffs };
}
