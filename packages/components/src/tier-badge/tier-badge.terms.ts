import type { Translations } from '../common/locale.js';

export interface TierBadgeTerms {
  /** The badge's accessible name: scheme and level. */
  readonly label: (scheme: string, level: string) => string;
  readonly progressTo: (level: string) => string;
  readonly notInScheme: string;
}

export const tierBadgeTerms: Translations<TierBadgeTerms> = {
  'zh-CN': {
    label: (s, l) => `${s}：${l}`,
    progressTo: (l) => `升级${l}的进度`,
    notInScheme: '暂无该项等级。',
  },
  'zh-TW': {
    label: (s, l) => `${s}：${l}`,
    progressTo: (l) => `升級${l}的進度`,
    notInScheme: '暫無該項等級。',
  },
  en: {
    label: (s, l) => `${s}: ${l}`,
    progressTo: (l) => `Progress to ${l}`,
    notInScheme: 'No level in this scheme yet.',
  },
};
