// Vue typings of the tk-* tags, so vue-tsc checks their props and events in templates:
// `/// <reference types="@tierkit/components/vue" />` once in the app (e.g. in env.d.ts). Vue must
// also be told the tags are custom elements (`compilerOptions.isCustomElement`), see the README.
import type { DefineComponent } from 'vue';
import type { TkCellSelectEvent, TkErrorEvent, TkLoadEvent } from '@tierkit/components';
import type { EntitlementPanelProps, ProviderProps, RiskValueMatrixProps, TierBadgeProps, TierTimelineProps } from './tags.js';

interface LoadEvents {
  onTkLoad?: (event: TkLoadEvent) => void;
  onTkError?: (event: TkErrorEvent) => void;
}

declare module 'vue' {
  interface GlobalComponents {
    'tk-provider': DefineComponent<ProviderProps>;
    'tk-tier-badge': DefineComponent<TierBadgeProps & LoadEvents>;
    'tk-entitlement-panel': DefineComponent<EntitlementPanelProps & LoadEvents>;
    'tk-risk-value-matrix': DefineComponent<RiskValueMatrixProps & LoadEvents & { onTkCellSelect?: (event: TkCellSelectEvent) => void }>;
    'tk-tier-timeline': DefineComponent<TierTimelineProps & LoadEvents>;
  }
}
