import { TkTierTimeline } from './tier-timeline.component.js';

export { TkTierTimeline };

// Guarded so that importing this entry twice (two bundles, a hot reload) never throws.
if (!customElements.get('tk-tier-timeline')) customElements.define('tk-tier-timeline', TkTierTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'tk-tier-timeline': TkTierTimeline;
  }
}
