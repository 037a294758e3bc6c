import type { EntitlementDef } from '../model/entitlement.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { PolicyWindow } from '../policy/policy-schema.js';
import { t, yuan } from './text.js';

/*
 * Card tiers, docs/domain.md §1 (seed 003, PSBC): any of monthly average daily balance ≥ ¥50,000 /
 * ¥300,000 / ¥1,500,000, household annual income ≥ ¥200,000 / ¥800,000 / ¥3,000,000, or a
 * designated premium credit card (gold). Service per tier from the same section.
 *
 * Balance window: the average of the last 3 monthly average daily balances, a missing month counting
 * as zero (a dormant month drags the tier down). Income: the latest figure reported in the last 12
 * months (an older declaration no longer counts). Premium card: the latest observation.
 * Hysteresis: upgrade at once, downgrade after 3 consecutive months below (docs/domain.md §1 default).
 */
export const BALANCE_WINDOW: PolicyWindow = { fn: 'avg', months: 3, missing: 'zero' };
export const INCOME_WINDOW: PolicyWindow = { fn: 'last', months: 12, missing: 'shorten' };

const balance = (id: string, amount: number) =>
  ({ kind: 'threshold', id, metric: 'avg_daily_balance', window: BALANCE_WINDOW, op: 'gte', value: yuan(amount) }) as const;
const income = (id: string, amount: number) =>
  ({ kind: 'threshold', id, metric: 'household_income', window: INCOME_WINDOW, op: 'gte', value: yuan(amount) }) as const;

const priorityLane: EntitlementDef = {
  kind: 'feature',
  key: 'priority-lane',
  label: t('贵宾通道优先办理', '貴賓通道優先辦理', 'Priority lane'),
};
const dedicatedRm: EntitlementDef = {
  kind: 'feature',
  key: 'dedicated-rm',
  label: t('专属客户经理', '專屬理財專員', 'Dedicated relationship manager'),
};
const transferFeeWaiver: EntitlementDef = {
  kind: 'feature',
  key: 'fee-waiver-transfer',
  label: t('跨行转账手续费减免', '跨行轉帳手續費減免', 'Interbank transfer fees waived'),
};
const cardFeeWaiver: EntitlementDef = {
  kind: 'feature',
  key: 'fee-waiver-card',
  label: t('借记卡年费及小额账户管理费减免', '金融卡年費及小額帳戶管理費減免', 'Card annual and small-balance fees waived'),
};
const wealth: EntitlementDef = {
  kind: 'feature',
  key: 'exclusive-wealth-products',
  label: t('专享理财产品', '專享理財產品', 'Exclusive wealth products'),
};
const vipCentre: EntitlementDef = {
  kind: 'feature',
  key: 'vip-centre',
  label: t('财富管理中心服务', '財富管理中心服務', 'Wealth management centre'),
};
const lounge = (amount: number): EntitlementDef => ({
  kind: 'quota',
  key: 'lounge',
  amount,
  period: 'year',
  usageMetric: 'lounge_visits',
  label: t('机场贵宾厅', '機場貴賓室', 'Airport lounge visits'),
});
const depositRate = (bp: number): EntitlementDef => ({
  kind: 'rate',
  key: 'deposit-rate',
  bp,
  applies: 'deposit',
  label: t('存款利率上浮', '存款利率加碼', 'Deposit rate uplift'),
});
const transferLimit = (permille: number): EntitlementDef => ({
  kind: 'limit',
  key: 'non-counter-transfer-limit',
  multiplierPermille: permille,
  applies: 'non-counter-transfer',
  label: t('非柜面转账限额提升', '非臨櫃轉帳限額提升', 'Higher non-counter transfer limit'),
});

export const retailTier: SchemeDefinition = {
  key: 'retail-tier',
  subjectKind: 'customer',
  category: 'value',
  audience: 'customer',
  name: t('客户等级', '客戶等級', 'Customer tier'),
  // A relationship manager's courtesy tier is theirs to file, as before, but it comes back for review
  // within a year (a bank's usual retention courtesy runs 3–6 months) and moves one tier at most: a
  // customer three tiers from what their balances give is a case for the rules, not for an exception
  // (docs/domain.md, "Overrides"). Overrides approved before this rule keep their decision.
  overrides: { requestedBy: 'book', approvedBy: 'approver', maxDays: 366, maxStep: 1 },
  levels: [
    { key: 'standard', rank: 0, name: t('普通', '普通', 'Standard'), color: 'neutral' },
    { key: 'gold', rank: 1, name: t('金卡', '金卡', 'Gold'), color: 'gold' },
    { key: 'platinum', rank: 2, name: t('白金卡', '白金卡', 'Platinum'), color: 'platinum' },
    { key: 'diamond', rank: 3, name: t('钻石卡', '鑽石卡', 'Diamond'), color: 'diamond' },
  ],
  policy: {
    id: 'retail-tier',
    version: 1,
    kind: 'rules',
    levels: [
      {
        level: 'gold',
        when: {
          kind: 'any',
          id: 'gold',
          of: [
            balance('gold.balance', 50_000),
            income('gold.income', 200_000),
            { kind: 'threshold', id: 'gold.premium-card', metric: 'premium_card', window: null, op: 'gte', value: 1 },
          ],
        },
      },
      {
        level: 'platinum',
        when: { kind: 'any', id: 'platinum', of: [balance('platinum.balance', 300_000), income('platinum.income', 800_000)] },
      },
      {
        level: 'diamond',
        when: { kind: 'any', id: 'diamond', of: [balance('diamond.balance', 1_500_000), income('diamond.income', 3_000_000)] },
      },
    ],
    hysteresis: { downgradeAfterPeriods: 3 },
  },
  entitlements: {
    standard: [],
    gold: [priorityLane, transferFeeWaiver, depositRate(10), transferLimit(1500)],
    platinum: [priorityLane, dedicatedRm, transferFeeWaiver, cardFeeWaiver, lounge(6), depositRate(20), transferLimit(2000)],
    diamond: [
      priorityLane,
      dedicatedRm,
      transferFeeWaiver,
      cardFeeWaiver,
      lounge(12),
      depositRate(30),
      transferLimit(3000),
      wealth,
      vipCentre,
    ],
  },
};
