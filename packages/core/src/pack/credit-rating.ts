import type { EntitlementDef } from '../model/entitlement.js';
import type { LevelDef } from '../model/scheme.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { t } from './text.js';

/*
 * Credit rating, docs/domain.md §3 (seed 000): the internal scale AAA, AA, A, BBB, BB, B, CCC, CC, C
 * from a credit score (0–100); differentiated credit policy — higher ratings get larger limits and
 * lower rates, lower ratings need collateral or guarantees and pay more. A loan more than 90 days
 * past due (次级, non-performing) is the default grade C, and stays C until `CURE_MONTHS` clean
 * months have passed. Score cut-offs are this kit's defaults.
 */
const GRADES = ['C', 'CC', 'CCC', 'B', 'BB', 'BBB', 'A', 'AA', 'AAA'] as const;
const MIN_SCORE = [0, 20, 30, 40, 50, 60, 70, 80, 90] as const;
const RATE_BP = [0, 300, 200, 120, 60, 0, -15, -30, -50] as const;
const LIMIT_PERMILLE = [0, 0, 300, 500, 800, 1000, 1200, 1500, 2000] as const;
const COLORS = ['danger', 'danger', 'warning', 'warning', 'caution', 'info', 'silver', 'gold', 'platinum'] as const;

/**
 * Months a default (a loan more than 90 days past due) keeps counting after it is cured. Paying the
 * arrears does not make a borrower AAA the next month: they stay at the default grade (and a savings
 * customer at 风险) until this many consecutive months pass with no loan more than 90 days past due.
 * No seed gives the figure; supervisors elsewhere ask for a probation of at least three months before
 * a defaulted borrower leaves default, longer after a restructuring. 6 is this kit's default, and the
 * same six months the star rating looks back over. Configuration: see packages/core/README.md.
 */
export const CURE_MONTHS = 6;

// The last 12 months: a score in them marks the customer rated even when it is 0.
const SCORE_WINDOW = { fn: 'last', months: 12, missing: 'shorten' } as const;

/** Some month of the last `CURE_MONTHS` had a loan more than 90 days past due (次级 or worse, docs/domain.md §3). */
export function recentDefault(id: string) {
  return {
    kind: 'threshold',
    id,
    metric: 'loan_days_past_due',
    window: { fn: 'max', months: CURE_MONTHS, missing: 'zero' },
    op: 'gt',
    value: 90,
  } as const;
}

function terms(i: number): EntitlementDef[] {
  const out: EntitlementDef[] = [];
  if (i >= 1)
    out.push({
      kind: 'rate',
      key: 'loan-rate',
      bp: RATE_BP[i] ?? 0,
      applies: 'loan',
      label: t('贷款利率调整', '貸款利率調整', 'Loan rate adjustment'),
    });
  if ((LIMIT_PERMILLE[i] ?? 0) > 0) {
    out.push({
      kind: 'limit',
      key: 'credit-limit',
      multiplierPermille: LIMIT_PERMILLE[i] ?? 0,
      applies: 'credit-limit',
      label: t('授信额度系数', '授信額度係數', 'Credit limit multiplier'),
    });
  }
  if (i >= 5)
    out.push({
      kind: 'feature',
      key: 'unsecured-loan',
      label: t('可办理信用贷款（免担保）', '可辦理信用貸款（免擔保）', 'Unsecured loans'),
    });
  else
    out.push({
      kind: 'restriction',
      key: 'collateral-required',
      label: t('须提供抵押或担保', '須提供抵押或擔保', 'Collateral or guarantee required'),
      reason: t(`信用评级 ${GRADES[i]}`, `信用評級 ${GRADES[i]}`, `credit rating ${GRADES[i]}`),
      blocks: ['unsecured-loan'],
    });
  return out;
}

export const creditRating: SchemeDefinition = {
  key: 'credit-rating',
  subjectKind: 'customer',
  category: 'credit',
  audience: 'staff',
  name: t('信用评级', '信用評級', 'Credit rating'),
  // An override of a credit grade is filed by risk-side staff who see the whole bank, not by the account
  // manager whose borrower it is (their proposal goes through those staff), and approved by another; an
  // exception lasts at most until the yearly review. A better grade means more credit on easier terms,
  // so a higher grade is the looser side, and holding a borrower there takes an admin. NR ranks lowest
  // but is no strict grade (the risk band reads it as low, as it reads AAA): it goes last, so holding a
  // borrower at NR, or a revocation that lands there, is an admin's too.
  overrides: {
    requestedBy: 'tenant',
    approvedBy: 'approver',
    maxDays: 366,
    order: [...GRADES, 'NR'],
    loosenNeeds: 'admin',
  },
  // A better grade is looser: leaving a grade a bank marks `approvalRequired` for a better one waits
  // for an approver (none is marked in this pack; docs/domain.md §4).
  loweringNeeds: 'approver',
  // `NR` (not rated): never scored — no credit history with the bank is not the default grade C, and it
  // must not pull a customer into the high-risk row of the matrix. A grade stands until the next score,
  // however old (the grades read the latest score): a CCC borrower whose rating was not refreshed
  // within a year is not NR, which the matrix reads as no credit exposure (low risk).
  levels: [
    { key: 'NR', rank: 0, name: t('未评级', '未評級', 'Not rated'), color: 'neutral' },
    ...GRADES.map((g, i): LevelDef => ({ key: g, rank: i + 1, name: t(g, g, g), color: COLORS[i] ?? 'neutral' })),
  ],
  policy: {
    id: 'credit-rating',
    version: 3,
    kind: 'rules',
    note: `a cured default keeps grade C for ${CURE_MONTHS} clean months; never scored is NR, not C; a grade stands until the next score (was: NR after 12 months)`,
    levels: [
      {
        level: 'C',
        when: {
          kind: 'any',
          id: 'C.rated',
          of: [
            {
              kind: 'threshold',
              id: 'C.rated.recent',
              metric: 'credit_score',
              window: { ...SCORE_WINDOW, fn: 'count' },
              op: 'gte',
              value: 1,
            },
            { kind: 'threshold', id: 'C.rated.before', metric: 'credit_score', window: null, op: 'gt', value: 0 },
          ],
        },
      },
      ...GRADES.slice(1).map((g, j) => ({
        level: g,
        when: {
          kind: 'threshold',
          id: `${g}.score`,
          metric: 'credit_score',
          window: null,
          op: 'gte',
          value: MIN_SCORE[j + 1] ?? 0,
        } as const,
      })),
    ],
    triggers: [
      {
        id: 'default',
        level: 'C',
        when: recentDefault('default.dpd'),
        label: t(
          `近${CURE_MONTHS}个月内贷款逾期超过90天（违约级）`,
          `近${CURE_MONTHS}個月內貸款逾期超過90天（違約級）`,
          `a loan more than 90 days past due in the last ${CURE_MONTHS} months (default grade)`,
        ),
      },
    ],
    hysteresis: { downgradeAfterPeriods: 0 },
  },
  entitlements: {
    NR: [
      {
        kind: 'restriction',
        key: 'collateral-required',
        label: t('须提供抵押或担保', '須提供抵押或擔保', 'Collateral or guarantee required'),
        reason: t('无信用评级', '無信用評級', 'No credit rating'),
        blocks: ['unsecured-loan'],
      },
    ],
    ...Object.fromEntries(GRADES.map((g, i) => [g, terms(i)])),
  },
};
