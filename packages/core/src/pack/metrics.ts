import type { MetricDef } from '../model/metric.js';
import type { SubjectKind } from '../model/scheme.js';
import { t } from './text.js';

/*
 * The metric catalogue of the default pack. Keys are a contract with the seeder, importers and the
 * API: never rename one. Money is CNY in fen. Ranges and sources are listed in packages/core/README.md.
 */
const money = (key: string, label: MetricDef['label'], subjectKinds: readonly SubjectKind[]): MetricDef => ({
  key,
  unit: 'money',
  currency: 'CNY',
  label,
  subjectKinds,
});
/*
 * `actionable: false` marks what a customer cannot raise by banking with us: a declared income, an
 * assessed score, their age. A customer's progress sentence then names the balance to add, not the
 * income to earn (MetricDef.actionable); balances, spending and transactions stay actionable.
 */
const declared = (m: MetricDef): MetricDef => ({ ...m, actionable: false });
/*
 * `audience: 'staff'` marks what the bank must keep from the customer: AML grades and PEP status (telling
 * a customer they are under AML watch is tipping-off) and the bank's own credit score. No customer
 * scheme may draw a level's line on them (MetricDef.audience; docs/domain.md §4).
 */
const staffOnly = (m: MetricDef): MetricDef => ({ ...m, audience: 'staff' });
/* AML scores and PEP status: `compliance`, not even a minority factor of a customer score (MetricDef.audience). */
const complianceOnly = (m: MetricDef): MetricDef => ({ ...m, audience: 'compliance' });

export const defaultMetrics: readonly MetricDef[] = [
  // Customers (retail)
  money('avg_daily_balance', t('月日均资产', '月平均資產餘額', 'monthly average daily balance'), ['customer']),
  declared(money('household_income', t('家庭年收入', '家庭年收入', 'household annual income'), ['customer'])),
  {
    key: 'premium_card',
    unit: 'boolean',
    label: t('持有指定高端信用卡', '持有指定頂級信用卡', 'holds a designated premium credit card'),
    subjectKinds: ['customer'],
  },
  { key: 'transaction_count', unit: 'count', label: t('月交易笔数', '月交易筆數', 'transactions per month'), subjectKinds: ['customer'] },
  money('card_spend', t('月信用卡消费', '月信用卡消費', 'monthly card spending'), ['customer']),
  staffOnly(declared({ key: 'credit_score', unit: 'score', label: t('信用评分', '信用評分', 'credit score'), subjectKinds: ['customer'] })),
  { key: 'loan_days_past_due', unit: 'days', label: t('贷款逾期天数', '貸款逾期天數', 'loan days past due'), subjectKinds: ['customer'] },
  {
    key: 'deposit_term_months',
    unit: 'count',
    label: t('存款平均期限（月）', '存款平均期限（月）', 'average deposit term (months)'),
    subjectKinds: ['customer'],
  },
  complianceOnly({
    key: 'aml_customer_risk',
    unit: 'score',
    label: t('客户身份风险', '客戶身份風險', 'customer risk'),
    subjectKinds: ['customer'],
  }),
  complianceOnly({
    key: 'aml_geography_risk',
    unit: 'score',
    label: t('地域风险', '地域風險', 'geographic risk'),
    subjectKinds: ['customer'],
  }),
  complianceOnly({
    key: 'aml_product_risk',
    unit: 'score',
    label: t('产品与服务风险', '產品與服務風險', 'product and service risk'),
    subjectKinds: ['customer'],
  }),
  complianceOnly({
    key: 'aml_industry_risk',
    unit: 'score',
    label: t('行业与职业风险', '行業與職業風險', 'industry and occupation risk'),
    subjectKinds: ['customer'],
  }),
  complianceOnly({
    key: 'pep',
    unit: 'boolean',
    label: t('政治公众人物', '政治公眾人物', 'politically exposed person'),
    subjectKinds: ['customer'],
  }),
  declared({
    key: 'risk_questionnaire_score',
    unit: 'score',
    label: t('风险承受能力测评得分', '風險承受能力測評得分', 'risk questionnaire score'),
    subjectKinds: ['customer'],
  }),
  { key: 'lounge_visits', unit: 'count', label: t('贵宾厅使用次数', '貴賓室使用次數', 'lounge visits'), subjectKinds: ['customer'] },
  declared({ key: 'age', unit: 'count', label: t('年龄', '年齡', 'age'), subjectKinds: ['customer'] }),
  // Corporates
  { key: 'industry_code', unit: 'count', label: t('行业代码', '行業代碼', 'industry code'), subjectKinds: ['corporate'] },
  { key: 'employees', unit: 'count', label: t('从业人员', '員工人數', 'employees'), subjectKinds: ['corporate'] },
  money('annual_revenue', t('营业收入', '營業收入', 'annual revenue'), ['corporate']),
  // Products
  { key: 'product_risk_class', unit: 'count', label: t('产品风险评级', '產品風險評級', 'product risk class'), subjectKinds: ['product'] },
  // Employees
  { key: 'performance_score', unit: 'score', label: t('绩效评分', '績效評分', 'performance score'), subjectKinds: ['employee'] },
  { key: 'tenure_months', unit: 'count', label: t('司龄（月）', '年資（月）', 'tenure (months)'), subjectKinds: ['employee'] },
];

const DEFAULT_KINDS = new Map(defaultMetrics.map((m) => [m.key, m.subjectKinds]));

/**
 * The kinds of subject `def` is measured on: its own `subjectKinds`, else the default catalogue's for
 * its key (a tenant's catalogue stored before metrics named their kinds: keys are a contract, above),
 * else undefined — any kind.
 */
export function metricSubjectKinds(def: MetricDef): readonly SubjectKind[] | undefined {
  return def.subjectKinds ?? DEFAULT_KINDS.get(def.key);
}

const DEFAULT_STAFF = new Set(defaultMetrics.filter((m) => m.audience !== undefined).map((m) => m.key));
const DEFAULT_COMPLIANCE = new Set(defaultMetrics.filter((m) => m.audience === 'compliance').map((m) => m.key));

/**
 * Whether `def` is kept from customers: its own `audience`, else the default catalogue's for its key (a
 * tenant catalogue stored before the flag: keys are a contract, above).
 */
export function metricIsStaffOnly(def: MetricDef): boolean {
  return def.audience !== undefined || DEFAULT_STAFF.has(def.key);
}

/** Whether `def` weighs nothing in a customer scheme at all (`audience: 'compliance'`, or the default's for its key). */
export function metricIsComplianceOnly(def: MetricDef): boolean {
  return def.audience === 'compliance' || DEFAULT_COMPLIANCE.has(def.key);
}

/** What the catalogue says of `def` to an editor: its own audience, else the default's for its key. */
export function metricAudience(def: MetricDef): MetricDef['audience'] {
  return metricIsComplianceOnly(def) ? 'compliance' : metricIsStaffOnly(def) ? 'staff' : undefined;
}
