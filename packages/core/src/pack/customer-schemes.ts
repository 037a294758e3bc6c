import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { PolicyWindow } from '../policy/policy-schema.js';
import { t, yuan } from './text.js';
import { CURE_MONTHS, recentDefault } from './credit-rating.js';

const SIX_MONTHS: PolicyWindow = { fn: 'avg', months: 6, missing: 'zero' };
const LATEST_YEAR: PolicyWindow = { fn: 'last', months: 12, missing: 'shorten' };

/*
 * Star rating, docs/domain.md §1 (seed 003, CCB): a weighted score over behaviour, purchasing power,
 * financial status and credit record, on the last 6 months, "fast up, slow down" (快升缓降).
 * Weights and bounds are this kit's defaults (no source gives CCB's), so they stay configuration.
 */
export const starRating: SchemeDefinition = {
  key: 'star-rating',
  subjectKind: 'customer',
  category: 'value',
  audience: 'customer',
  name: t('星级', '星級', 'Star rating'),
  levels: [1, 2, 3, 4, 5].map((n, i) => ({
    key: `star-${n}`,
    rank: i,
    name: t(`${n}星`, `${n}星`, `${n} star${n > 1 ? 's' : ''}`),
    color: (['neutral', 'bronze', 'silver', 'gold', 'diamond'] as const)[i] ?? 'neutral',
  })),
  policy: {
    id: 'star-rating',
    version: 1,
    kind: 'score',
    factors: [
      { id: 'behaviour', metric: 'transaction_count', window: SIX_MONTHS, weight: 20, transform: { kind: 'linear', from: 0, to: 60 } },
      {
        id: 'purchasing-power',
        metric: 'card_spend',
        window: SIX_MONTHS,
        weight: 20,
        transform: { kind: 'linear', from: 0, to: yuan(30_000) },
      },
      {
        id: 'financial-status',
        metric: 'avg_daily_balance',
        window: SIX_MONTHS,
        weight: 45,
        transform: {
          kind: 'bands',
          bands: [
            { min: yuan(10_000), points: 20 },
            { min: yuan(50_000), points: 45 },
            { min: yuan(300_000), points: 75 },
            { min: yuan(1_500_000), points: 100 },
          ],
        },
      },
      { id: 'credit-record', metric: 'credit_score', window: LATEST_YEAR, weight: 15, transform: { kind: 'linear', from: 40, to: 90 } },
    ],
    bands: [
      { level: 'star-2', min: 20 },
      { level: 'star-3', min: 40 },
      { level: 'star-4', min: 60 },
      { level: 'star-5', min: 80 },
    ],
    hysteresis: { downgradeAfterPeriods: 3, retentionPermille: 900 },
  },
};

/*
 * Savings grades, docs/domain.md §1 (seed 002): a score over deposit amount, term and spending capacity;
 * a bad loan record forces 风险. "Bad" = more than 90 days past due (次级 and worse, docs/domain.md §3)
 * in any of the last `CURE_MONTHS` months: a default cured last month does not restore 优质 at once.
 */
export const savingsGrade: SchemeDefinition = {
  key: 'savings-grade',
  subjectKind: 'customer',
  category: 'value',
  audience: 'customer',
  name: t('储蓄客户等级', '儲蓄客戶等級', 'Savings grade'),
  levels: [
    // Only a bad loan leads to 风险: by that name and in red it would tell the customer a credit (NPL)
    // classification. Customers read it as 基础 (basic), the word banks use for an entry tier, which
    // judges nothing, in the neutral tone; staff keep 风险.
    {
      key: 'risk',
      rank: 0,
      name: t('风险', '風險', 'Risk'),
      color: 'danger',
      customer: { name: t('基础', '基礎', 'Basic'), color: 'neutral' },
    },
    { key: 'ordinary', rank: 1, name: t('普通', '普通', 'Ordinary'), color: 'neutral' },
    { key: 'good', rank: 2, name: t('良好', '良好', 'Good'), color: 'silver' },
    { key: 'premium', rank: 3, name: t('优质', '優質', 'Premium'), color: 'gold' },
  ],
  policy: {
    id: 'savings-grade',
    version: 2,
    kind: 'score',
    note: `a cured bad loan keeps 风险 for ${CURE_MONTHS} clean months (was: restored the next month)`,
    factors: [
      {
        id: 'deposit-amount',
        metric: 'avg_daily_balance',
        window: { fn: 'avg', months: 3, missing: 'zero' },
        weight: 50,
        transform: { kind: 'linear', from: 0, to: yuan(500_000) },
      },
      {
        id: 'deposit-term',
        metric: 'deposit_term_months',
        window: LATEST_YEAR,
        weight: 30,
        transform: {
          kind: 'bands',
          bands: [
            { min: 3, points: 25 },
            { min: 12, points: 60 },
            { min: 36, points: 100 },
          ],
        },
      },
      {
        id: 'spending',
        metric: 'card_spend',
        window: { fn: 'avg', months: 3, missing: 'zero' },
        weight: 20,
        transform: { kind: 'linear', from: 0, to: yuan(20_000) },
      },
    ],
    bands: [
      { level: 'ordinary', min: 0 },
      { level: 'good', min: 45 },
      { level: 'premium', min: 75 },
    ],
    triggers: [
      {
        id: 'bad-loan',
        level: 'risk',
        when: recentDefault('bad-loan.dpd'),
        label: t(
          `近${CURE_MONTHS}个月内贷款逾期超过90天（不良记录）`,
          `近${CURE_MONTHS}個月內貸款逾期超過90天（不良記錄）`,
          `a loan more than 90 days past due in the last ${CURE_MONTHS} months (bad record)`,
        ),
      },
    ],
    hysteresis: { downgradeAfterPeriods: 3 },
  },
};

/*
 * AML customer risk, docs/domain.md §4: 低 / 中 / 中高 / 高 from customer, geography, product and
 * industry factors; 高 needs senior approval; reviews every 48 / 24 / 12 / 6 months; a politically
 * exposed person needs senior approval (FATF R.12), so PEP forces 高.
 *
 * A customer never assessed is `unassessed`, not 低: a score of 0 from no data is not low risk. It is
 * ranked lowest because it is no risk level at all, which also makes the first assessment apply at
 * once (an upgrade for hysteresis); until then non-counter transfer uplifts are withheld, as banks do
 * for customers whose identification is incomplete.
 *
 * An assessment stands until the next one (the factors read the latest observation, however old):
 * its age is what the review intervals above are for (`GET /v1/reviews/overdue`), and a grade
 * lapsing into `unassessed` after a year would lift a 高 customer's enhanced-due-diligence blocks
 * and move them out of the high-risk row — a missed review loosening controls — while a 低
 * assessment is valid for 48 months. `unassessed` is therefore: no assessment in the last 12 months
 * and every factor of the latest known one 0, which is what no assessment at all reads as (an
 * assessment of all zeros older than a year reads the same, and is treated as missing).
 */
export const AML_WINDOW = { fn: 'last', months: 12, missing: 'shorten' } as const;
const AML_FACTORS = [
  ['customer', 'aml_customer_risk', 30],
  ['geography', 'aml_geography_risk', 25],
  ['product', 'aml_product_risk', 20],
  ['industry', 'aml_industry_risk', 25],
] as const;
export const amlRisk: SchemeDefinition = {
  key: 'aml-risk',
  subjectKind: 'customer',
  category: 'risk',
  audience: 'staff',
  name: t('反洗钱风险等级', '反洗錢風險等級', 'AML risk'),
  // Not a relationship manager's to steer (their customer's relationship is what they answer for); an
  // exception runs at most as long as the top level's review interval (6 months, docs/domain.md §4),
  // and one that can hold the grade low — any fixed level below 高, whose sign-off it would skip once
  // the data says 高 — or whose revocation lowers it, needs the senior approver (an admin) that FATF
  // R.12 asks for higher levels and PEPs.
  overrides: {
    requestedBy: 'tenant',
    approvedBy: 'approver',
    maxDays: 180,
    order: ['high', 'medium-high', 'medium', 'low', 'unassessed'],
    loosenNeeds: 'admin',
  },
  // Leaving 高 (PEP forces it) for a lower grade waits for an approver, as entering it does: one
  // officer's upload of lower figures must not end a high-risk grade alone (docs/domain.md §4).
  loweringNeeds: 'approver',
  // Need-to-know (docs/domain.md §4, "Who reads a grade"): the officers who file and review its
  // exceptions (compliance), the approvers who sign 高 off, the admins; never a viewer or analyst, nor a
  // relationship manager, who serves the customer a suspicion must not be tipped off to.
  readers: { roles: ['officer', 'approver', 'admin'] },
  levels: [
    // Due at once: the first rating is owed within ten working days of onboarding (docs/domain.md §4), so
    // an unassessed customer is on the overdue-review list a month after becoming one, the shortest interval.
    { key: 'unassessed', rank: 0, name: t('未评估', '未評估', 'Not assessed'), color: 'neutral', reviewMonths: 1 },
    { key: 'low', rank: 1, name: t('低', '低', 'Low'), color: 'success', reviewMonths: 48 },
    { key: 'medium', rank: 2, name: t('中', '中', 'Medium'), color: 'info', reviewMonths: 24 },
    { key: 'medium-high', rank: 3, name: t('中高', '中高', 'Medium-high'), color: 'warning', reviewMonths: 12 },
    { key: 'high', rank: 4, name: t('高', '高', 'High'), color: 'danger', approvalRequired: true, reviewMonths: 6, whilePending: 'apply' },
  ],
  policy: {
    id: 'aml-risk',
    version: 3,
    kind: 'score',
    note: 'an assessment stands until the next (was: unassessed after 12 months, lifting 高 restrictions); never assessed is "unassessed"',
    factors: AML_FACTORS.map(([id, metric, weight]) => ({
      id,
      metric,
      window: null,
      weight,
      transform: { kind: 'linear' as const, from: 0, to: 100 },
    })),
    bands: [
      { level: 'low', min: 0 },
      { level: 'medium', min: 35 },
      { level: 'medium-high', min: 55 },
      { level: 'high', min: 75 },
    ],
    triggers: [
      {
        id: 'pep',
        level: 'high',
        when: { kind: 'threshold', id: 'pep.flag', metric: 'pep', window: null, op: 'gte', value: 1 },
        label: t('政治公众人物，须高级管理层审批', '政治公眾人物，須高級管理層審批', 'Politically exposed person: senior approval needed'),
      },
      {
        id: 'unassessed',
        level: 'unassessed',
        when: {
          kind: 'all',
          id: 'unassessed.none',
          of: [
            {
              kind: 'threshold',
              id: 'unassessed.recent',
              metric: 'aml_customer_risk',
              window: { ...AML_WINDOW, fn: 'count' },
              op: 'lt',
              value: 1,
            },
            ...AML_FACTORS.map(
              ([id, metric]) => ({ kind: 'threshold', id: `unassessed.${id}`, metric, window: null, op: 'eq', value: 0 }) as const,
            ),
          ],
        },
        label: t('尚无反洗钱风险评估', '尚無反洗錢風險評估', 'No AML risk assessment on record'),
      },
    ],
    hysteresis: { downgradeAfterPeriods: 6 },
  },
  entitlements: {
    unassessed: [
      {
        kind: 'restriction',
        key: 'aml-assessment-pending',
        label: t(
          '待完成客户风险评估，暂停非柜面限额提升',
          '待完成客戶風險評估，暫停非臨櫃限額提升',
          'customer risk assessment pending: non-counter limit uplift paused',
        ),
        reason: t('未评估反洗钱风险', '未評估反洗錢風險', 'AML risk not assessed'),
        blocks: ['non-counter-transfer-limit'],
      },
    ],
    'medium-high': [
      {
        kind: 'restriction',
        key: 'enhanced-monitoring',
        label: t('加强交易监测', '加強交易監測', 'Enhanced transaction monitoring'),
        reason: t('反洗钱风险中高', '反洗錢風險中高', 'AML risk medium-high'),
      },
    ],
    high: [
      {
        kind: 'restriction',
        key: 'enhanced-due-diligence',
        label: t('强化尽职调查，限制非柜面业务', '強化盡職調查，限制非臨櫃業務', 'Enhanced due diligence, non-counter business restricted'),
        reason: t('反洗钱风险高', '反洗錢風險高', 'AML risk high'),
        blocks: ['non-counter-transfer-limit', 'priority-lane', 'fee-waiver-transfer'],
      },
    ],
  },
};
