import type { Translations } from '../shared/locale.js';

export interface TierBadgeTerms {
  /** The badge's accessible name: scheme and level. */
  readonly label: (scheme: string, level: string) => string;
  /** The plain-language gap of the nearest path: "再增加 ¥12,000 月日均资产即可升级白金卡". */
  readonly gap: (amount: string, metric: string, level: string) => string;
  /**
   * A yes/no path, quoting the metric's own label as a condition: "满足「持有指定高端信用卡」即可升级金卡".
   * Never a verb of our own ("持有…", "Hold …"): pack labels already carry theirs.
   */
  readonly gapBoolean: (metric: string, level: string) => string;
  readonly progressTo: (level: string) => string;
  /** A gap in days: `formatted` is the localized number, `n` picks the plural. */
  readonly days: (formatted: string, n: number) => string;
  /** A gap in score points: `formatted` is the localized number, `n` picks the plural. */
  readonly points: (formatted: string, n: number) => string;
  readonly notInScheme: string;
}

export const tierBadgeTerms: Translations<TierBadgeTerms> = {
  'zh-CN': {
    label: (s, l) => `${s}：${l}`,
    gap: (a, m, l) => `再增加 ${a} ${m}即可升级${l}`,
    gapBoolean: (m, l) => `满足「${m}」即可升级${l}`,
    progressTo: (l) => `升级${l}的进度`,
    days: (n) => `${n} 天`,
    points: (n) => `${n} 分`,
    notInScheme: '暂无该项等级。',
  },
  'zh-TW': {
    label: (s, l) => `${s}：${l}`,
    gap: (a, m, l) => `再增加 ${a} ${m}即可升級${l}`,
    gapBoolean: (m, l) => `滿足「${m}」即可升級${l}`,
    progressTo: (l) => `升級${l}的進度`,
    days: (n) => `${n} 天`,
    points: (n) => `${n} 分`,
    notInScheme: '暫無該項等級。',
  },
  en: {
    label: (s, l) => `${s}: ${l}`,
    gap: (a, m, l) => `${a} more ${m} to reach ${l}`,
    gapBoolean: (m, l) => `Meet “${m}” to reach ${l}`,
    progressTo: (l) => `Progress to ${l}`,
    days: (f, n) => `${f} ${n === 1 ? 'day' : 'days'}`,
    points: (f, n) => `${f} ${n === 1 ? 'point' : 'points'}`,
    notInScheme: 'No level in this scheme yet.',
  },
};
