// The settable properties of each element, shared by the React and Vue tag typings.
import type { TkEntitlementPanel, TkProvider, TkRiskValueMatrix, TkTierBadge, TkTierTimeline } from '../dist/index.js';

export type ProviderProps = Partial<Pick<TkProvider, 'baseUrl' | 'token' | 'subject' | 'locale' | 'currency' | 'theme' | 'client'>>;
export type TierBadgeProps = Partial<Pick<TkTierBadge, 'scheme' | 'subject' | 'size' | 'showProgress' | 'data'>>;
export type EntitlementPanelProps = Partial<Pick<TkEntitlementPanel, 'subject' | 'data' | 'tiers'>>;
export type RiskValueMatrixProps = Partial<
  Pick<TkRiskValueMatrix, 'scheme' | 'subject' | 'mode' | 'tableView' | 'data' | 'schemes' | 'filter'>
>;
export type TierTimelineProps = Partial<
  Pick<TkTierTimeline, 'subject' | 'scheme' | 'timeZone' | 'pageSize' | 'data' | 'schemes' | 'unmasked'>
>;
