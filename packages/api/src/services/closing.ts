import {
  appendDecision,
  changeOverride,
  type ClosingWrite,
  newClosingId,
  pendingOverridesOfForUpdate,
  setSubjectClosed,
  type Executor,
} from '@tierkit/db';
import { sortableId } from '../ids.js';
import { CLOSING_FLOOR } from '../periods.js';
import { CLOSING_WITHDRAWAL_NOTE } from './closing-withdrawal.js';
import { withdrawLevelApprovals } from './level-approvals.js';
import { overrideHash } from './override-requests.js';

/** The earliest instant a closing may be dated, and why: the message of the 400 (or row error) refusing one before it. */
export interface ClosingFloor {
  readonly at: string;
  readonly why: string;
}

/** No closing is ever dated before 2000: the floor before any month is final, and of a closing learnt late. */
export const FLOOR_2000: ClosingFloor = { at: CLOSING_FLOOR, why: 'is before 2000' };

/**
 * What a closing dated `at` records against the end of the last final month (`floor`): before it — a
 * closing learnt late, which the caller has checked was said to be — it counts from the floor, so a
 * final month's figures stay as the bank read them, and keeps `at` as when the customer really left;
 * otherwise it counts from `at` and keeps no second date. The API's closing and an import's row alike.
 */
export function countedClosing(at: string, floor: ClosingFloor): { readonly at: string; readonly leftAt: string | null } {
  // Instants as the API writes them (ISO UTC, milliseconds): compared as text, in time order.
  return at < floor.at ? { at: floor.at, leftAt: at } : { at, leftAt: null };
}

/**
 * The earliest `at` a closing may be dated against the end of the last final month (`floor`). Said to
 * be learnt late, anything from 2000 (it then counts from `floor`, {@link countedClosing}). Not said,
 * the floor — and, past a final month, its refusal says how a closing learnt late is told (`lateHint`:
 * the API's `"late": true`, an import's closedLate column), so a mistyped date is never moved silently.
 * The API's closing and an import's row alike.
 */
export function lowestClosing(late: boolean, floor: ClosingFloor, lateHint: string): ClosingFloor {
  if (late) return FLOOR_2000;
  return floor.at > CLOSING_FLOOR ? { at: floor.at, why: `${floor.why} (a closing learnt only now: ${lateHint})` } : floor;
}

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
 * "customer closed", and the closing's id in `subject_closings` as its marker, which is what later
 * steps read to tell this closing's withdrawals from anyone else's, withdrawnByClosing) and a step of
 * its audit trail. A reopening brings none back: the data they
 * were about may be months old by then, and the next evaluation or a new request opens them afresh.
 *
 * Lock order (PostgreSQL): the subject's row first (`setSubjectClosed`), then its pending override
 * requests, then its sign-offs — the order of every step of a pending request (edit, withdrawal,
 * decision: subject, then request) and of a level write (subject, then sign-off) — so a closing queues
 * behind either rather than deadlocking with it, and a step that comes later waits for the closing
 * and finds its request withdrawn. Holding the row, one read of each finds everything pending: a
 * request committed while the closing waited for the row included (its filing bumps the subject, so it
 * committed before the closing took the row, or waits for the closing and then refuses itself,
 * requestOverride). Returns null, having changed nothing, when the customer was closed already.
 * The customer's version moves once, with the closing's write of their row: what it withdraws is in
 * the same transaction, so no read between can see one without the other.
 */
export async function closeSubject(
  trx: Executor,
  tenantId: string,
  subjectId: string,
  closed: ClosingWrite,
  actor: string,
  nowIso: string,
): Promise<ClosingWithdrawals | null> {
  const closing = newClosingId();
  if (!(await setSubjectClosed(trx, tenantId, subjectId, { ...closed, id: closing }, nowIso))) return null;
  const overrides: string[] = [];
  for (const r of await pendingOverridesOfForUpdate(trx, tenantId, subjectId)) {
    const done = { status: 'withdrawn', decidedBy: actor, decidedAt: nowIso, decisionNote: CLOSING_WITHDRAWAL_NOTE } as const;
    // Held since it was read, so the guarded write cannot miss; checked all the same.
    if (
      !(await changeOverride(
        trx,
        tenantId,
        r.override.id,
        { status: 'pending', contentHash: r.contentHash },
        { ...done, withdrawnByClosing: closing, updatedAt: nowIso },
        // The closing's write of the row moved the version: one move for the closing and all it withdraws.
        { bump: false },
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
  const signOffs = await withdrawLevelApprovals(trx, tenantId, subjectId, actor, nowIso, closing);
  return { overrides, signOffs };
}
