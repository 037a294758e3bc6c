import type { EntitlementDef } from '../model/entitlement.js';

/**
 * Whether `a` gives the subject more than `b` of the same entitlement key: more quota, a higher
 * deposit rate, a lower loan rate or fee, a larger limit. Features and restrictions are equal.
 */
export function isBetter(a: EntitlementDef, b: EntitlementDef): boolean {
  if (a.kind === 'quota' && b.kind === 'quota') return a.amount > b.amount;
  if (a.kind === 'rate' && b.kind === 'rate') return a.applies === 'deposit' ? a.bp > b.bp : a.bp < b.bp;
  if (a.kind === 'limit' && b.kind === 'limit') return a.multiplierPermille > b.multiplierPermille;
  return false;
}
