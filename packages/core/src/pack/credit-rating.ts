import type { EntitlementDef } from '../model/entitlement.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { t } from './text.js';

/*
 * Credit rating, DOMAIN.md §3 (seed 000): the internal scale AAA, AA, A, BBB, BB, B, CCC, CC, C
 * from a credit score (0–100); differentiated credit policy — higher ratings get larger limits and
 * lower rates, lower ratings need collateral or guarantees and pay more. A loan more than 90 days
 * past due (次级, non-performing) is the default grade C. Score cut-offs are this kit's defaults.
 */
const GRADES = ['C', 'CC', 'CCC', 'B', 'BB', 'BBB', 'A', 'AA', 'AAA'] as const;
const MIN_SCORE = [0, 20, 30, 40, 50, 60, 70, 80, 90] as const;
const RATE_BP = [0, 300, 200, 120, 60, 0, -15, -30, -50] as const;
const LIMIT_PERMILLE = [0, 0, 300, 500, 800, 1000, 1200, 1500, 2000] as const;
const COLORS = ['danger', 'danger', 'warning', 'warning', 'caution', 'info', 'silver', 'gold', 'platinum'] as const;

function terms(i: number): EntitlementDef[] {
  const out: EntitlementDef[] = [];
  if (i >= 1) out.push({ kind: 'rate', key: 'loan-rate', bp: RATE_BP[i] ?? 0, applies: 'loan', label: t('贷款利率调整', '貸款利率調整', 'loan rate adjustment') });
  if ((LIMIT_PERMILLE[i] ?? 0) > 0) {
    out.push({ kind: 'limit', key: 'credit-limit', multiplierPermille: LIMIT_PERMILLE[i] ?? 0, applies: 'credit-limit', label: t('授信额度系数', '授信額度係數', 'credit limit multiplier') });
  }
  if (i >= 5) out.push({ kind: 'feature', key: 'unsecured-loan', label: t('可办理信用贷款（免担保）', '可辦理信用貸款（免擔保）', 'unsecured loans') });
  else out.push({ kind: 'restriction', key: 'collateral-required', label: t('须提供抵押或担保', '須提供抵押或擔保', 'collateral or guarantee required'),
    reason: t(`信用评级 ${GRADES[i]}`, `信用評級 ${GRADES[i]}`, `credit rating ${GRADES[i]}`), blocks: ['unsecured-loan'] });
  return out;
}

export const creditRating: SchemeDefinition = {
  key: 'credit-rating', subjectKind: 'customer', category: 'credit', audience: 'staff', name: t('信用评级', '信用評級', 'credit rating'),
  levels: GRADES.map((g, i) => ({ key: g, rank: i, name: t(g, g, g), color: COLORS[i] ?? 'neutral' })),
  policy: {
    id: 'credit-rating', version: 1, kind: 'rules',
    levels: GRADES.slice(1).map((g, j) => ({
      level: g,
      when: { kind: 'threshold', id: `${g}.score`, metric: 'credit_score', window: { fn: 'last', months: 12, missing: 'shorten' }, op: 'gte', value: MIN_SCORE[j + 1] ?? 0 } as const,
    })),
    triggers: [{ id: 'default', level: 'C', when: { kind: 'threshold', id: 'default.dpd', metric: 'loan_days_past_due', window: { fn: 'max', months: 1, missing: 'zero' }, op: 'gt', value: 90 },
      label: t('贷款逾期超过90天（违约级）', '貸款逾期超過90天（違約級）', 'a loan more than 90 days past due (default grade)') }],
    hysteresis: { downgradeAfterPeriods: 0 },
  },
  entitlements: Object.fromEntries(GRADES.map((g, i) => [g, terms(i)])),
};
