import { TkTierBadge } from './tier-badge.component.js';

export { TkTierBadge };
export type { TierBadgeData, BadgeSize } from './tier-badge.component.js';
// Guarded: a page that loads two bundles, or defines the tag itself first, must not throw.
if (!customElements.get('tk-tier-badge')) customElements.define('tk-tier-badge', TkTierBadge);

declare global {
  interface HTMLElementTagNameMap {
    'tk-tier-badge': TkTierBadge;
  }
}
