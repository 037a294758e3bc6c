import type { Translations } from '../shared/locale.js';

export interface TierBadgeTerms {
  /** The badge's accessible name: scheme and level. */
  readonly label: (scheme: string, level: string) => string;
  /** The plain-language gap of the nearest path: "再增加 ¥12,000 月日均资产即可升级白金卡". */
  readonly gap: (amount: string, metric: string, level: string) => string;
  /** A yes/no path: "持有指定高端信用卡即可升级金卡". */
  readonly gapBoolean: (metric: string, level: string) => string;
  readonly progressTo: (level: string) => string;
  readonly days: (n: string) => string;
  readonly points: (n: string) => string;
  readonly notInScheme: string;
}

export const tierBadgeTerms: Translations<TierBadgeTerms> = {
  'zh-CN': {
    label: (s, l) => `${s}：${l}`,
    gap: (a, m, l) => `再增加 ${a} ${m}即可升级${l}`,
    gapBoolean: (m, l) => `持有${m}即可升级${l}`,
    progressTo: (l) => `升级${l}的进度`,
    days: (n) => `${n} 天`,
    points: (n) => `${n} 分`,
    notInScheme: '暂无该项等级。',
  },
  'zh-TW': {
    label: (s, l) => `${s}：${l}`,
    gap: (a, m, l) => `再增加 ${a} ${m}即可升級${l}`,
    gapBoolean: (m, l) => `持有${m}即可升級${l}`,
    progressTo: (l) => `升級${l}的進度`,
    days: (n) => `${n} 天`,
    points: (n) => `${n} 分`,
    notInScheme: '暫無該項等級。',
  },
  en: {
    label: (s, l) => `${s}: ${l}`,
    gap: (a, m, l) => `${a} more ${m} to reach ${l}`,
    gapBoolean: (m, l) => `Hold ${m} to reach ${l}`,
    progressTo: (l) => `Progress to ${l}`,
    days: (n) => `${n} days`,
    points: (n) => `${n} points`,
    notInScheme: 'No level in this scheme yet.',
  },
};
