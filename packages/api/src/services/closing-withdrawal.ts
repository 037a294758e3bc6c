import { openClosingRecordedAt, type Executor } from '@tierkit/db';

/**
 * The note a closing leaves on every override request and level sign-off it withdraws, and on each
 * one's audit step (closeSubject). Its own module, so that the closing and the steps that must tell
 * its withdrawals from a person's share it without importing each other.
 */
export const CLOSING_WITHDRAWAL_NOTE = 'customer closed';

/** What a withdrawal leaves on an override request or a level sign-off. */
export interface Withdrawable {
  readonly status: string;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
}

/**
 * Whether `item` — an override request or a level sign-off of `subjectId` — was withdrawn by the
 * closing its customer is under now: with the closing's note, at the very instant that closing was
 * recorded (closeSubject writes both from one `nowIso`). Not by a person before it, even with the same
 * note; not by an earlier closing the customer was reopened from. An import takes one instant per apply
 * page, shared by the closing's record and what it withdraws, so "at or after" would count a person's
 * withdrawal that committed after the page read its clock as the import's. Who decided it tells nothing more: a closing withdraws as the person or import that
 * closed the customer, and the closing's record does not keep who that was.
 */
export async function withdrawnByClosing(trx: Executor, tenantId: string, subjectId: string, item: Withdrawable): Promise<boolean> {
  if (item.status !== 'withdrawn' || item.decidedAt === null || item.decisionNote !== CLOSING_WITHDRAWAL_NOTE) return false;
  return item.decidedAt === (await openClosingRecordedAt(trx, tenantId, subjectId));
}
