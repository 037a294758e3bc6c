import { type ClosingWithdrawable, type Executor, withdrawnByOpenClosing } from '@tierkit/db';

/**
 * The note a closing leaves on every override request and level sign-off it withdraws, and on each
 * one's audit step (closeSubject): words for whoever reads the item or its trail, nothing more. A
 * person may write the same words, so no step reads them to tell the closing's withdrawals from
 * theirs: the closing's marker on the item does that (withdrawnByClosing). Kept here beside that
 * test, so the closing and the steps on what it withdrew share both without importing each other.
 */
export const CLOSING_WITHDRAWAL_NOTE = 'customer closed';

/**
 * Whether `item` — an override request (`overrides`) or a level sign-off (`level_approvals`) — was
 * withdrawn by the closing its customer is under now. A closing marks what it withdraws with its own
 * id in `subject_closings`, in the transaction that records it (closeSubject, the one path of the API
 * and of an import), so this compares that marker with the customer's current closing: a person's
 * withdrawal names no closing, whatever its note and even at the closing's very millisecond, and what
 * an earlier closing withdrew before the customer was reopened does not count (a reopening leaves
 * markers as they are; that closing is simply no longer current). Items stored before the marker
 * were marked on upgrade by the older note-and-instant rule, so they answer as they did then.
 */
export async function withdrawnByClosing(
  trx: Executor,
  tenantId: string,
  table: ClosingWithdrawable,
  item: { readonly id: string; readonly status: string },
): Promise<boolean> {
  // withdrawnByOpenClosing checks the status too; asking here first spares the query for the
  // pending, decided and superseded items most steps are about.
  return item.status === 'withdrawn' && withdrawnByOpenClosing(trx, tenantId, table, item.id);
}
