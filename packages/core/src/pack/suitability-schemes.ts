import type { LevelDef } from '../model/scheme.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { t } from './text.js';
import { TENANT_STAFF_OVERRIDES } from './override-rules.js';

/*
 * Suitability, docs/domain.md §2 (2011 sales rules, arts. 24 and 27): products R1–R5, customers C1–C5,
 * product level ≤ customer level. Product risk is assigned by the bank's product committee and
 * recorded as `product_risk_class` 1–5; this scheme makes it a level. Codes are stored, never labels.
 * A product with no class recorded is `unrated`, not R1: R1 is the one level every customer may buy,
 * so reading a missing rating as 0 would offer an unreviewed product to the most conservative customer.
 * Suitability refuses to judge a sale of an unrated product (it is no R level).
 */
const R_NAMES = [
  ['谨慎型', '謹慎型', 'cautious'],
  ['稳健型', '穩健型', 'steady'],
  ['平衡型', '平衡型', 'balanced'],
  ['进取型', '進取型', 'enterprising'],
  ['激进型', '激進型', 'aggressive'],
] as const;
const C_NAMES = [
  ['保守型', '保守型', 'conservative'],
  ['稳健型', '穩健型', 'cautious'],
  ['平衡型', '平衡型', 'balanced'],
  ['成长型', '成長型', 'growth'],
  ['进取型', '進取型', 'aggressive'],
] as const;
const COLORS = ['success', 'info', 'caution', 'warning', 'danger'] as const;

export const productRisk: SchemeDefinition = {
  key: 'product-risk',
  subjectKind: 'product',
  category: 'suitability',
  audience: 'staff',
  name: t('产品风险等级', '產品風險等級', 'Product risk'),
  overrides: TENANT_STAFF_OVERRIDES,
  levels: [
    { key: 'unrated', rank: 0, name: t('未评级', '未評級', 'Not rated'), color: 'neutral' },
    ...R_NAMES.map(
      ([cn, tw, en], i): LevelDef => ({
        key: `R${i + 1}`,
        rank: i + 1,
        name: t(`R${i + 1} ${cn}`, `R${i + 1} ${tw}`, `R${i + 1} ${en}`),
        color: COLORS[i] ?? 'neutral',
      }),
    ),
  ],
  policy: {
    id: 'product-risk',
    version: 2,
    kind: 'rules',
    note: 'no risk class recorded is "unrated", not R1 (the level every customer may buy)',
    levels: [1, 2, 3, 4, 5].map((n) => ({
      level: `R${n}`,
      when: { kind: 'threshold', id: `R${n}.class`, metric: 'product_risk_class', window: null, op: 'gte', value: n } as const,
    })),
    hysteresis: { downgradeAfterPeriods: 0 },
  },
};

/*
 * Risk tolerance, docs/domain.md §2: the sample questionnaire maps ≤20 C1, 21–45 C2, 46–70 C3, 71–85 C4,
 * 86–100 C5. The score is read from the last 12 months only: an assessment is valid for one year,
 * so an expired one falls back to C1 (the most protective level) until the customer is re-assessed.
 */
export const riskTolerance: SchemeDefinition = {
  key: 'risk-tolerance',
  subjectKind: 'customer',
  category: 'suitability',
  audience: 'staff',
  name: t('风险承受能力', '風險承受能力', 'Risk tolerance'),
  overrides: TENANT_STAFF_OVERRIDES,
  levels: C_NAMES.map(([cn, tw, en], i) => ({
    key: `C${i + 1}`,
    rank: i,
    name: t(`C${i + 1} ${cn}`, `C${i + 1} ${tw}`, `C${i + 1} ${en}`),
    color: COLORS[i] ?? 'neutral',
  })),
  policy: {
    id: 'risk-tolerance',
    version: 1,
    kind: 'rules',
    levels: (
      [
        [2, 21],
        [3, 46],
        [4, 71],
        [5, 86],
      ] as const
    ).map(([n, min]) => ({
      level: `C${n}`,
      when: {
        kind: 'threshold',
        id: `C${n}.score`,
        metric: 'risk_questionnaire_score',
        window: { fn: 'last', months: 12, missing: 'shorten' },
        op: 'gte',
        value: min,
      } as const,
    })),
    hysteresis: { downgradeAfterPeriods: 0 },
  },
};
