import type { Translations } from '../common/locale.js';

export interface TierBadgeTerms {
  readonly progressTo: (level: string) => string;
  /** The subject has no level in this scheme. */
  readonly none: string;
  /** A level waiting for a second person's sign-off (four eyes): staff see it is not final yet. */
  readonly pending: (level: string) => string;
}

export const tierBadgeTerms: Translations<TierBadgeTerms> = {
  'zh-CN': {
    progressTo: (l) => `升级${l}的进度`,
    none: '暂无该项等级。',
    pending: (l) => `${l}（待审批）`,
  },
  'zh-TW': {
    progressTo: (l) => `升級${l}的進度`,
    none: '暫無該項等級。',
    pending: (l) => `${l}（待核准）`,
  },
  en: {
    progressTo: (l) => `Progress to ${l}`,
    none: 'No level in this scheme yet.',
    pending: (l) => `${l} (pending approval)`,
  },
};
