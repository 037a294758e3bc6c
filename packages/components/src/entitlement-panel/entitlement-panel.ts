import { TkEntitlementPanel } from './entitlement-panel.component.js';

export { TkEntitlementPanel };
// Guarded: a page that loads two bundles, or defines the tag itself first, must not throw.
if (!customElements.get('tk-entitlement-panel')) customElements.define('tk-entitlement-panel', TkEntitlementPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tk-entitlement-panel': TkEntitlementPanel;
  }
}
