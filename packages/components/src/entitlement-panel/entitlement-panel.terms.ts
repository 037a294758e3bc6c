import type { EntitlementKind, QuotaPeriod } from '@tierkit/core';
import type { Translations } from '../common/locale.js';

export interface EntitlementPanelTerms {
  readonly title: string;
  readonly kinds: Readonly<Record<Exclude<EntitlementKind, 'restriction'>, string>>;
  readonly restrictions: string;
  readonly blocked: string;
  readonly blockedTag: string;
  readonly blockedBy: (restriction: string, level: string) => string;
  readonly imposedBy: (level: string) => string;
  readonly grantedBy: (level: string) => string;
  /** `month`: the last month of data counted (formatted), when the API says it (`usedThrough`). */
  readonly quotaUsed: (used: string, amount: string, period: QuotaPeriod, month?: string) => string;
  readonly quotaPer: (amount: string, period: QuotaPeriod) => string;
  readonly next: (level: string) => string;
  /** A level the bank granted as a courtesy (an override), with its last day when it ends. */
  readonly courtesy: (until?: string) => string;
  readonly empty: string;
}

const zhPeriod = { month: '月', quarter: '季', year: '年' } as const;
const enPeriod = { month: 'month', quarter: 'quarter', year: 'year' } as const;

export const entitlementPanelTerms: Translations<EntitlementPanelTerms> = {
  'zh-CN': {
    title: '我的权益',
    kinds: { feature: '专属服务', quota: '使用额度', rate: '利率调整', limit: '额度倍数' },
    restrictions: '限制措施',
    blocked: '暂停的权益',
    blockedTag: '已暂停',
    blockedBy: (r, l) => `因“${r}”暂停（${l}）`,
    imposedBy: (l) => `来自${l}`,
    grantedBy: (l) => `来自${l}`,
    quotaUsed: (u, a, p, m) => `${m ? `截至${m}` : ''}已用 ${u} / ${a}（每${zhPeriod[p]}）`,
    quotaPer: (a, p) => `每${zhPeriod[p]} ${a} 次`,
    next: (l) => `升级${l}可获得`,
    courtesy: (d) => (d ? `优惠等级，有效期至 ${d}` : '优惠等级'),
    empty: '暂无权益。',
  },
  'zh-TW': {
    title: '我的權益',
    kinds: { feature: '專屬服務', quota: '使用額度', rate: '利率調整', limit: '額度倍數' },
    restrictions: '限制措施',
    blocked: '暫停的權益',
    blockedTag: '已暫停',
    blockedBy: (r, l) => `因「${r}」暫停（${l}）`,
    imposedBy: (l) => `來自${l}`,
    grantedBy: (l) => `來自${l}`,
    quotaUsed: (u, a, p, m) => `${m ? `截至${m}` : ''}已用 ${u} / ${a}（每${zhPeriod[p]}）`,
    quotaPer: (a, p) => `每${zhPeriod[p]} ${a} 次`,
    next: (l) => `升級${l}可獲得`,
    courtesy: (d) => (d ? `優惠等級，有效期至 ${d}` : '優惠等級'),
    empty: '暫無權益。',
  },
  en: {
    title: 'Your benefits',
    kinds: { feature: 'Services', quota: 'Quotas', rate: 'Rates', limit: 'Limits' },
    restrictions: 'Restrictions',
    blocked: 'Blocked benefits',
    blockedTag: 'Blocked',
    blockedBy: (r, l) => `Blocked by “${r}” (${l})`,
    imposedBy: (l) => `Imposed by ${l}`,
    grantedBy: (l) => `From ${l}`,
    quotaUsed: (u, a, p, m) => `${u} / ${a} per ${enPeriod[p]}${m ? `, to ${m}` : ''}`,
    quotaPer: (a, p) => `${a} per ${enPeriod[p]}`,
    next: (l) => `${l} would add`,
    courtesy: (d) => (d ? `Courtesy level, valid until ${d}` : 'Courtesy level'),
    empty: 'No benefits yet.',
  },
};
