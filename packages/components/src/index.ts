/*
 * The element classes, without registering any tag: import from here to register them under your
 * own names (`customElements.define('bank-badge', class extends TkTierBadge {})`), or import
 * `@tierkit/components/define` to register the default `tk-*` tags.
 */
export { TkProvider } from './provider/provider.component.js';
export { TkTierBadge, type TierBadgeData, type BadgeSize } from './tier-badge/tier-badge.component.js';
export { TkEntitlementPanel } from './entitlement-panel/entitlement-panel.component.js';
export { TkRiskValueMatrix } from './risk-value-matrix/risk-value-matrix.component.js';
export { TkTierTimeline } from './tier-timeline/tier-timeline.component.js';
export { TkLoadEvent, TkErrorEvent } from './common/events.js';
export { ResourceStatus } from './common/resource.js';
export { THEMES, type Theme } from './common/context.js';
export type { LocaleTag } from './common/locale.js';
export type { TermOverrides, TermOverride, TermTables } from './common/term-overrides.js';
export { TkCellSelectEvent, type CellSelectDetail, type CellFilter } from './risk-value-matrix/cell-select-event.js';
export { MATRIX_MODES, type MatrixMode } from './risk-value-matrix/risk-value-matrix.component.js';
// The one script tag gives hosts the client too, for `provider.client = createClient({ token: () => … })`:
// the widgets' reads, cache and transport (ReadClient). The staff routes are @tierkit/client's own
// createClient; an embed token may not call them, and the bundle is held to its budget (README).
export {
  createReadClient as createClient,
  TierkitApiError,
  type ReadClient,
  type TierkitClient,
  type ClientOptions,
} from '@tierkit/client';
