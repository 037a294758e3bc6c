/**
 * A manual level. `fixed` means exactly this level whatever the rules say; `floor` means the rules
 * still apply but the level never drops below this one. Users of other tier engines complain that a
 * manual tier silently became a floor — so the mode is always explicit.
 */
export const OVERRIDE_MODES = ['fixed', 'floor'] as const;
export type OverrideMode = (typeof OVERRIDE_MODES)[number];

export interface OverrideInfo {
  readonly id: string;
  readonly scheme: string;
  readonly level: string;
  readonly mode: OverrideMode;
  readonly reason: string;
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
