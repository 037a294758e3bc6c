import type { OverrideRule } from '../model/override-rule.js';

/**
 * The override rule of the default pack's staff classifications without a rule of their own: filed
 * by staff who see the whole bank, not by a relationship manager for a customer of their book (a
 * classification the customer never sees should not bend to the relationship it is meant to check).
 */
export const TENANT_STAFF_OVERRIDES: OverrideRule = { requestedBy: 'tenant', approvedBy: 'approver', maxDays: null };
