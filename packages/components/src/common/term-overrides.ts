import type { ProgressWords } from '@tierkit/core';
import type { EntitlementPanelTerms } from '../entitlement-panel/entitlement-panel.terms.js';
import type { MatrixTerms } from '../risk-value-matrix/risk-value-matrix.terms.js';
import type { TierBadgeTerms } from '../tier-badge/tier-badge.terms.js';
import type { TimelineTerms } from '../tier-timeline/tier-timeline.terms.js';
import type { BlockStateTerms } from './block-terms.js';

/** Each widget's word table, by the name a bank's override uses for it. */
export interface TermTables {
  /** Loading, empty and error words every widget shares (the badge uses the first six). */
  readonly states: BlockStateTerms;
  readonly badge: TierBadgeTerms;
  /** The badge's progress sentence, core's words (`points`: 分 → 积分, `gap`, `days`, `gapBoolean`). */
  readonly progress: ProgressWords;
  readonly panel: EntitlementPanelTerms;
  readonly matrix: MatrixTerms;
  readonly timeline: TimelineTerms;
}

/**
 * A bank's own words for one locale, over the widgets' own: any word of any table, by its key. A key
 * replaces the whole word, so a nested one (`kinds`, `tone`, `reason`) is given whole.
 */
export type TermOverride = { readonly [K in keyof TermTables]?: Partial<TermTables[K]> };

/**
 * `<tk-provider>`'s `terms`: overrides by locale tag. A supported locale's (`zh-TW`) apply to every
 * widget reading it, a regional tag's (`zh-HK`) over those to a widget whose tag it is — so Hong Kong
 * may say 積分 where Taiwan says 點數 (packages/components/README.md, "Your own words"). A page's tag
 * reaches the words of the tag it equals without its region's usual script: `zh-HK`'s reach a page
 * tagged `zh-Hant-HK`, `zh-SG`'s one tagged `zh-Hans-SG`, but not one tagged `zh-Hans-HK`. Key by the
 * shorter tag, in its usual case (`zh-HK`).
 */
export type TermOverrides = Readonly<Record<string, TermOverride>>;
