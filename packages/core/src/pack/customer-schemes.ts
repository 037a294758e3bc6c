import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { PolicyWindow } from '../policy/policy-schema.js';
import { t, yuan } from './text.js';

const SIX_MONTHS: PolicyWindow = { fn: 'avg', months: 6, missing: 'zero' };
const LATEST_YEAR: PolicyWindow = { fn: 'last', months: 12, missing: 'shorten' };
const BAD_LOAN = { kind: 'threshold', metric: 'loan_days_past_due', window: { fn: 'max', months: 1, missing: 'zero' }, op: 'gt', value: 90 } as const;

/*
 * Star rating, DOMAIN.md §1 (seed 003, CCB): a weighted score over behaviour, purchasing power,
 * financial status and credit record, on the last 6 months, "fast up, slow down" (快升缓降).
 * Weights and bounds are this kit's defaults (no source gives CCB's), so they stay configuration.
 */
export const starRating: SchemeDefinition = {
  key: 'star-rating', subjectKind: 'customer', category: 'value', audience: 'customer', name: t('星级', '星級', 'star rating'),
  levels: [1, 2, 3, 4, 5].map((n, i) => ({
    key: `star-${n}`, rank: i, name: t(`${n}星`, `${n}星`, `${n} star${n > 1 ? 's' : ''}`),
    color: (['neutral', 'bronze', 'silver', 'gold', 'diamond'] as const)[i] ?? 'neutral',
  })),
  policy: {
    id: 'star-rating', version: 1, kind: 'score',
    factors: [
      { id: 'behaviour', metric: 'transaction_count', window: SIX_MONTHS, weight: 20, transform: { kind: 'linear', from: 0, to: 60 } },
      { id: 'purchasing-power', metric: 'card_spend', window: SIX_MONTHS, weight: 20, transform: { kind: 'linear', from: 0, to: yuan(30_000) } },
      { id: 'financial-status', metric: 'avg_daily_balance', window: SIX_MONTHS, weight: 45, transform: { kind: 'bands', bands: [
        { min: yuan(10_000), points: 20 }, { min: yuan(50_000), points: 45 }, { min: yuan(300_000), points: 75 }, { min: yuan(1_500_000), points: 100 },
      ] } },
      { id: 'credit-record', metric: 'credit_score', window: LATEST_YEAR, weight: 15, transform: { kind: 'linear', from: 40, to: 90 } },
    ],
    bands: [{ level: 'star-2', min: 20 }, { level: 'star-3', min: 40 }, { level: 'star-4', min: 60 }, { level: 'star-5', min: 80 }],
    hysteresis: { downgradeAfterPeriods: 3, retentionPermille: 900 },
  },
};

/*
 * Savings grades, DOMAIN.md §1 (seed 002): a score over deposit amount, term and spending capacity;
 * a bad loan record forces 风险. "Bad" = more than 90 days past due (次级 and worse, DOMAIN.md §3).
 */
export const savingsGrade: SchemeDefinition = {
  key: 'savings-grade', subjectKind: 'customer', category: 'value', audience: 'customer', name: t('储蓄客户等级', '儲蓄客戶等級', 'savings grade'),
  levels: [
    { key: 'risk', rank: 0, name: t('风险', '風險', 'Risk'), color: 'danger' },
    { key: 'ordinary', rank: 1, name: t('普通', '普通', 'Ordinary'), color: 'neutral' },
    { key: 'good', rank: 2, name: t('良好', '良好', 'Good'), color: 'silver' },
    { key: 'premium', rank: 3, name: t('优质', '優質', 'Premium'), color: 'gold' },
  ],
  policy: {
    id: 'savings-grade', version: 1, kind: 'score',
    factors: [
      { id: 'deposit-amount', metric: 'avg_daily_balance', window: { fn: 'avg', months: 3, missing: 'zero' }, weight: 50, transform: { kind: 'linear', from: 0, to: yuan(500_000) } },
      { id: 'deposit-term', metric: 'deposit_term_months', window: LATEST_YEAR, weight: 30, transform: { kind: 'bands', bands: [
        { min: 3, points: 25 }, { min: 12, points: 60 }, { min: 36, points: 100 },
      ] } },
      { id: 'spending', metric: 'card_spend', window: { fn: 'avg', months: 3, missing: 'zero' }, weight: 20, transform: { kind: 'linear', from: 0, to: yuan(20_000) } },
    ],
    bands: [{ level: 'ordinary', min: 0 }, { level: 'good', min: 45 }, { level: 'premium', min: 75 }],
    triggers: [{ id: 'bad-loan', level: 'risk', when: { ...BAD_LOAN, id: 'bad-loan.dpd' },
      label: t('贷款逾期超过90天（不良记录）', '貸款逾期超過90天（不良記錄）', 'a loan more than 90 days past due (bad record)') }],
    hysteresis: { downgradeAfterPeriods: 3 },
  },
};

/*
 * AML customer risk, DOMAIN.md §4: 低 / 中 / 中高 / 高 from customer, geography, product and
 * industry factors; 高 needs senior approval; reviews every 48 / 24 / 12 / 6 months; a politically
 * exposed person needs senior approval (FATF R.12), so PEP forces 高.
 */
export const amlRisk: SchemeDefinition = {
  key: 'aml-risk', subjectKind: 'customer', category: 'risk', audience: 'staff', name: t('反洗钱风险等级', '反洗錢風險等級', 'AML risk'),
  levels: [
    { key: 'low', rank: 0, name: t('低', '低', 'Low'), color: 'success', reviewMonths: 48 },
    { key: 'medium', rank: 1, name: t('中', '中', 'Medium'), color: 'info', reviewMonths: 24 },
    { key: 'medium-high', rank: 2, name: t('中高', '中高', 'Medium-high'), color: 'warning', reviewMonths: 12 },
    { key: 'high', rank: 3, name: t('高', '高', 'High'), color: 'danger', approvalRequired: true, reviewMonths: 6 },
  ],
  policy: {
    id: 'aml-risk', version: 1, kind: 'score',
    factors: ([['customer', 'aml_customer_risk', 30], ['geography', 'aml_geography_risk', 25], ['product', 'aml_product_risk', 20], ['industry', 'aml_industry_risk', 25]] as const)
      .map(([id, metric, weight]) => ({ id, metric, window: { fn: 'last', months: 12, missing: 'shorten' } as const, weight, transform: { kind: 'linear' as const, from: 0, to: 100 } })),
    bands: [{ level: 'medium', min: 35 }, { level: 'medium-high', min: 55 }, { level: 'high', min: 75 }],
    triggers: [{ id: 'pep', level: 'high', when: { kind: 'threshold', id: 'pep.flag', metric: 'pep', window: null, op: 'gte', value: 1 },
      label: t('政治公众人物，须高级管理层审批', '政治公眾人物，須高級管理層審批', 'politically exposed person: senior approval needed') }],
    hysteresis: { downgradeAfterPeriods: 6 },
  },
  entitlements: {
    'medium-high': [{ kind: 'restriction', key: 'enhanced-monitoring', label: t('加强交易监测', '加強交易監測', 'enhanced transaction monitoring'),
      reason: t('反洗钱风险中高', '反洗錢風險中高', 'AML risk medium-high') }],
    high: [{ kind: 'restriction', key: 'enhanced-due-diligence', label: t('强化尽职调查，限制非柜面业务', '強化盡職調查，限制非櫃面業務', 'enhanced due diligence, non-counter business restricted'),
      reason: t('反洗钱风险高', '反洗錢風險高', 'AML risk high'), blocks: ['non-counter-transfer-limit', 'priority-lane', 'fee-waiver-transfer'] }],
  },
};
