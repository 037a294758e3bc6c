import { overrideRuleOf, type SchemeDefinition } from '@tierkit/core';
import type { Principal } from '../auth/principal.js';
import { roleAtLeast } from '../auth/roles.js';

/**
 * What a book-scoped approver (a team lead) may decide, in one home for the decision, the queue and the
 * count of who else could decide (docs/permissions.md, "team lead approver").
 *
 * A lead is the first approver of their RMs' requests, never the bank's senior approver: whatever their
 * role, they decide as an `approver`, so a rule asking for an admin (`loosenNeeds`, FATF R.12's senior
 * approval) stays with tenant-wide admins even if a lead was made a book-scoped admin.
 */
export function deciderRole(p: Pick<Principal, 'role' | 'book'>): string {
  return p.book !== undefined && roleAtLeast(p.role, 'admin') ? 'approver' : p.role;
}

/**
 * Whether a book-scoped approver may decide override requests of `scheme`: only of a scheme whose rule
 * lets relationship managers file them (`overrides.requestedBy: book`), the sales line's own exceptions.
 * A scheme that only bank-wide staff may file for (the AML or credit grade: `tenant`) is a control
 * function's exception; its second pair of eyes is bank-wide too, never the line it controls.
 */
export function bookMayDecide(scheme: SchemeDefinition | undefined): boolean {
  return scheme !== undefined && overrideRuleOf(scheme).requestedBy === 'book';
}
