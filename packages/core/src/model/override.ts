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
