import { type ClosingWithdrawable, type Executor, withdrawnByOpenClosing } from '@tierkit/db';

/**
 * The note a closing leaves on every override request and level sign-off it withdraws, and on each
 * one's audit step (closeSubject): what a reader of the item or its trail is told. Its own module, so
 * that the closing and the steps that must tell its withdrawals from a person's share it without
 * importing each other. Only words: which closing withdrew an item is its marker, not this note.
 */
export const CLOSING_WITHDRAWAL_NOTE = 'customer closed';

/**
 * Whether `item` — an override request (`overrides`) or a level sign-off (`level_approvals`) — was
 * withdrawn by the closing its customer is under now. A closing marks what it withdraws with its own
 * id in `subject_closings`, in the transaction that records it (closeSubject, the one path of the API
 * and of an import), so this compares that marker with the customer's current closing: nothing a
 * person withdrew counts, whatever its note and even at the closing's very millisecond, nor what an
 * earlier closing withdrew before the customer was reopened (a reopening leaves markers as they are;
 * that closing is simply no longer current).
 */
export async function withdrawnByClosing(
  trx: Executor,
  tenantId: string,
  table: ClosingWithdrawable,
  item: { readonly id: string; readonly status: string },
): Promise<boolean> {
  return item.status === 'withdrawn' && withdrawnByOpenClosing(trx, tenantId, table, item.id);
}
