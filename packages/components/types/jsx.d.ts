// JSX typings of the tk-* tags for React 19, which sets properties and listens to custom events on
// custom elements itself: `import type {} from '@tierkit/components/jsx'` once in the app.
// (@tierkit/react's wrappers need none of this.)
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type {
  TkCellSelectEvent,
  TkEntitlementPanel,
  TkErrorEvent,
  TkLoadEvent,
  TkProvider,
  TkRiskValueMatrix,
  TkTierBadge,
  TkTierTimeline,
} from '@tierkit/components';
// Namespaced: inside `declare module 'react'` a bare name would resolve to React's own (ProviderProps).
import type * as Tags from './tags.js';

type TkTagProps<E, P> = DetailedHTMLProps<HTMLAttributes<E>, E> & P;
interface TkLoadEvents {
  'ontk-load'?: (event: TkLoadEvent) => void;
  'ontk-error'?: (event: TkErrorEvent) => void;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'tk-provider': TkTagProps<TkProvider, Tags.ProviderProps>;
      'tk-tier-badge': TkTagProps<TkTierBadge, Tags.TierBadgeProps & TkLoadEvents>;
      'tk-entitlement-panel': TkTagProps<TkEntitlementPanel, Tags.EntitlementPanelProps & TkLoadEvents>;
      'tk-risk-value-matrix': TkTagProps<
        TkRiskValueMatrix,
        Tags.RiskValueMatrixProps & TkLoadEvents & { 'ontk-cell-select'?: (event: TkCellSelectEvent) => void }
      >;
      'tk-tier-timeline': TkTagProps<TkTierTimeline, Tags.TierTimelineProps & TkLoadEvents>;
    }
  }
}
