import type { Translations } from '../common/locale.js';

export interface TierBadgeTerms {
  readonly progressTo: (level: string) => string;
  /**
   * The subject has no level in this scheme yet (a new customer before their first month is judged):
   * a label in the pill's place, said as a bank says it to a customer — not yet, nobody's fault.
   */
  readonly none: string;
  /** A level waiting for a second person's sign-off (four eyes): staff see it is not final yet. */
  readonly pending: (level: string) => string;
  /**
   * The retry button's name: what it loads again, starting with its visible word (WCAG 2.5.3) — the
   * scheme (its name once the badge has shown it, else its key) and the subject, so five failed badges
   * on one page are five buttons a screen-reader user can tell apart.
   */
  readonly retry: (scheme: string, subject: string) => string;
}

export const tierBadgeTerms: Translations<TierBadgeTerms> = {
  'zh-CN': {
    progressTo: (l) => `升级${l}的进度`,
    none: '暂未评定等级',
    pending: (l) => `${l}（待审批）`,
    retry: (s, id) => `重试加载等级（${s}，${id}）`,
  },
  'zh-TW': {
    progressTo: (l) => `升級${l}的進度`,
    none: '暫未評定等級',
    pending: (l) => `${l}（待核准）`,
    retry: (s, id) => `重試載入等級（${s}，${id}）`,
  },
  en: {
    progressTo: (l) => `Progress to ${l}`,
    none: 'Not yet rated',
    pending: (l) => `${l} (pending approval)`,
    retry: (s, id) => `Try again: level (${s}, ${id})`,
  },
};
