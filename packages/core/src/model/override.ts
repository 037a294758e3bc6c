/**
 * A manual level. `fixed` means exactly this level whatever the rules say; `floor` means the rules
 * still apply but the level never drops below this one. Users of other tier engines complain that a
 * manual tier silently became a floor — so the mode is always explicit.
 */
export const OVERRIDE_MODES = ['fixed', 'floor'] as const;
export type OverrideMode = (typeof OVERRIDE_MODES)[number];

/**
 * The `revokedBy` of an override that ended because its customer's personal data was erased (a retention
 * run): no approver revoked it, and the console says it ended with the customer.
 */
export const ERASURE_ACTOR = 'system:retention';

/**
 * What an override request says it rests on, as the filer picks it (docs/domain.md §4, "An override's
 * evidence"): keeping a valued customer (a VIP's 白金卡 for six months), funds on their way, an error in
 * the bank's own data, a complaint being settled, a management decision, or something else the reason says.
 */
export const OVERRIDE_REASON_CATEGORIES = ['retention', 'funds-pending', 'data-error', 'complaint', 'management', 'other'] as const;
export type OverrideReasonCategory = (typeof OVERRIDE_REASON_CATEGORIES)[number];

export interface OverrideInfo {
  readonly id: string;
  readonly scheme: string;
  readonly level: string;
  readonly mode: OverrideMode;
  readonly reason: string;
  /** What the filer says it rests on; absent when they did not say (and on requests from before it was asked). */
  readonly reasonCategory?: OverrideReasonCategory;
  /** A document number or link the filer cites for the approver (never a file); absent: none. Staff only. */
  readonly evidence?: string;
  /** ISO 8601 UTC; null = until removed. */
  readonly expiresAt: string | null;
  readonly requestedBy: string;
  readonly approvedBy: string | null;
}

/**
 * An override as a customer reads it (an embed token): the level it holds, how, and until when — what
 * the customer is owed about their own tier. Its id, reason, requester and approver are the bank's
 * internal record (packages/api/README.md, "What a customer sees"): absent, not blanked.
 */
export type CustomerOverrideInfo = Pick<OverrideInfo, 'scheme' | 'level' | 'mode' | 'expiresAt'>;
