/*
 * React wrappers of the tierkit elements (@lit/react): properties such as `data` and `client` are set
 * as element properties, `tk-*` events are typed `onTk*` props. Importing a wrapper registers its
 * element's default `tk-*` tag (guarded, so a page that already registered it is unaffected).
 */
export { TkProvider } from './provider.js';
export { TkTierBadge } from './tier-badge.js';
export { TkEntitlementPanel } from './entitlement-panel.js';
export { TkRiskValueMatrix, type TkCellSelectEvent } from './risk-value-matrix.js';
export { TkTierTimeline } from './tier-timeline.js';
