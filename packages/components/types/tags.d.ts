// The settable properties of each element, shared by the React and Vue tag typings.
import type { TkEntitlementPanel, TkProvider, TkRiskValueMatrix, TkTierBadge, TkTierTimeline } from '@tierkit/components';

/*
 * In a template an attribute is a string (Vue's `page-size="6"` reaches vue-tsc as "6"), so each numeric
 * property also takes its digits; the element reads them as the number (Lit's `type: Number`) or passes
 * them on as the request's `limit`.
 */
type Attributes<P> = { [K in keyof P]: P[K] | (NonNullable<P[K]> extends number ? `${number}` : never) };

export type ProviderProps = Attributes<
  Partial<Pick<TkProvider, 'baseUrl' | 'token' | 'subject' | 'locale' | 'currency' | 'theme' | 'client'>>
>;
export type TierBadgeProps = Attributes<Partial<Pick<TkTierBadge, 'scheme' | 'subject' | 'size' | 'showProgress' | 'data'>>>;
export type EntitlementPanelProps = Attributes<Partial<Pick<TkEntitlementPanel, 'subject' | 'heading' | 'data' | 'tiers'>>>;
export type RiskValueMatrixProps = Attributes<
  Partial<Pick<TkRiskValueMatrix, 'scheme' | 'subject' | 'mode' | 'tableView' | 'data' | 'schemes' | 'filter'>>
>;
export type TierTimelineProps = Attributes<
  Partial<Pick<TkTierTimeline, 'subject' | 'scheme' | 'timeZone' | 'pageSize' | 'data' | 'schemes' | 'unmasked' | 'actors'>>
>;
