import type { CellTone, MatrixCell } from '../model/matrix.js';
import type { LocalizedText } from '../model/locale.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { t } from './text.js';
import { TENANT_STAFF_OVERRIDES } from './override-rules.js';

/*
 * The risk-value nine-box, docs/domain.md §5 (seed 003). Its axes are dedicated schemes, so that the
 * matrix rows and columns are real level keys (MatrixDef's contract):
 * - risk-band is the worse of two bands. Seed 003 puts credit on this axis ("风险最低、收益最大的举措
 *   是争取客户终生价值最大的AAA级客户，即具有高信用的黄金客户"), and its risk grading reads a customer's
 *   credit standing; AML alone would put a defaulted borrower in "low risk, high value":
 *   - aml-risk: low → low, medium → medium, medium-high and high → high, unassessed → unassessed;
 *   - credit-rating: AAA to BBB (investment grade) → low, BB and B → medium, CCC to C (incl. the
 *     default grade) → high; NR (no credit history, so no credit exposure) → low, leaving AML to decide.
 *   `unassessed` ranks between low and medium: an established medium or high risk wins over it,
 *   but a good credit rating never turns an unassessed customer into a low-risk one.
 * - value-band collapses retail-tier: standard → low, gold → medium, platinum and diamond → high.
 * Unassessed customers have a row of their own, shown apart below the nine cells.
 * Best cell (low risk, high value): maximise lifetime value; worst (high risk, low value): exit
 * gradually — both from the seed. The other actions are this kit's defaults: bank policy, so data.
 */
const band = (cn: string, tw: string, en: string) => t(cn, tw, en);

const CREDIT_BAND: Readonly<Record<string, string>> = {
  NR: 'low',
  AAA: 'low',
  AA: 'low',
  A: 'low',
  BBB: 'low',
  BB: 'medium',
  B: 'medium',
  CCC: 'high',
  CC: 'high',
  C: 'high',
};

export const riskBand: SchemeDefinition = {
  key: 'risk-band',
  subjectKind: 'customer',
  category: 'risk',
  audience: 'staff',
  name: t('风险分档', '風險分檔', 'Risk band'),
  // The AML grade's rule for the band read from it: an officer's fixed “low” approved by an approver
  // would otherwise clear a PEP's band that the AML rule keeps for an admin. `unassessed` ranks above
  // `low` and is stricter than it (an unknown risk is not cleared as low).
  overrides: {
    ...TENANT_STAFF_OVERRIDES,
    maxDays: 180,
    order: ['high', 'medium', 'unassessed', 'low'],
    loosenNeeds: 'admin',
  },
  levels: [
    { key: 'low', rank: 0, name: band('低风险', '低風險', 'Low risk'), color: 'success' },
    { key: 'unassessed', rank: 1, name: band('未评估', '未評估', 'Not assessed'), color: 'neutral' },
    { key: 'medium', rank: 2, name: band('中风险', '中風險', 'Medium risk'), color: 'caution' },
    { key: 'high', rank: 3, name: band('高风险', '高風險', 'High risk'), color: 'danger' },
  ],
  policy: {
    id: 'risk-band',
    version: 2,
    kind: 'derived',
    note: 'the worse of the AML band and the credit band (was: AML alone); unassessed AML is its own band',
    from: 'aml-risk',
    map: { unassessed: 'unassessed', low: 'low', medium: 'medium', 'medium-high': 'high', high: 'high' },
    alsoFrom: [{ from: 'credit-rating', map: CREDIT_BAND }],
  },
};

export const valueBand: SchemeDefinition = {
  key: 'value-band',
  subjectKind: 'customer',
  category: 'value',
  audience: 'staff',
  name: t('价值分档', '價值分檔', 'Value band'),
  overrides: TENANT_STAFF_OVERRIDES,
  levels: [
    { key: 'low', rank: 0, name: band('低价值', '低價值', 'Low value'), color: 'neutral' },
    { key: 'medium', rank: 1, name: band('中价值', '中價值', 'Medium value'), color: 'silver' },
    { key: 'high', rank: 2, name: band('高价值', '高價值', 'High value'), color: 'gold' },
  ],
  policy: {
    id: 'value-band',
    version: 1,
    kind: 'derived',
    from: 'retail-tier',
    map: { standard: 'low', gold: 'medium', platinum: 'high', diamond: 'high' },
  },
};

// [risk row, value col, action, tone]; the level key is `${risk}-risk-${value}-value`.
const CELLS: readonly (readonly [string, string, LocalizedText, CellTone])[] = [
  ['high', 'low', t('逐步退出', '逐步退出', 'Exit gradually'), 'bad'],
  ['high', 'medium', t('压降风险敞口，强化监控', '降低風險曝險，強化監控', 'Reduce exposure, monitor closely'), 'bad'],
  [
    'high',
    'high',
    t('严格审查，以风险缓释换取保留', '嚴格審查，以風險抵減換取保留', 'Review strictly, retain only with mitigation'),
    'caution',
  ],
  ['unassessed', 'low', t('先完成反洗钱风险评估', '先完成反洗錢風險評估', 'Complete the AML risk assessment first'), 'caution'],
  ['unassessed', 'medium', t('先完成反洗钱风险评估', '先完成反洗錢風險評估', 'Complete the AML risk assessment first'), 'caution'],
  ['unassessed', 'high', t('尽快完成反洗钱风险评估', '儘快完成反洗錢風險評估', 'Complete the AML risk assessment promptly'), 'caution'],
  ['medium', 'low', t('定期监测，控制投入', '定期監測，控制投入', 'Monitor periodically, limit effort'), 'caution'],
  ['medium', 'medium', t('维持关系，定期复核', '維持關係，定期複核', 'Maintain, review periodically'), 'neutral'],
  ['medium', 'high', t('保持服务，加强风险跟踪', '保持服務，加強風險追蹤', 'Keep serving, track risk'), 'neutral'],
  ['low', 'low', t('培育潜力，简化管理', '培育潛力，簡化管理', 'Develop potential, simplified handling'), 'neutral'],
  ['low', 'medium', t('交叉销售，提升价值', '交叉銷售，提升價值', 'Cross-sell, grow value'), 'good'],
  ['low', 'high', t('重点维护，最大化客户终身价值', '重點維護，最大化客戶終身價值', 'Focus: maximise lifetime value'), 'good'],
];
const levelKey = (risk: string, value: string) => `${risk}-risk-${value}-value`;
const RANK_ORDER = CELLS.map(([r, v]) => levelKey(r, v));
const TONE_COLOR = { good: 'success', neutral: 'info', caution: 'warning', bad: 'danger' } as const;
const RISK_TEXT: Readonly<Record<string, LocalizedText>> = {
  low: t('低风险', '低風險', 'Low risk'),
  medium: t('中风险', '中風險', 'Medium risk'),
  high: t('高风险', '高風險', 'High risk'),
  unassessed: t('风险未评估', '風險未評估', 'Risk not assessed'),
};
const VALUE_TEXT: Readonly<Record<string, LocalizedText>> = {
  low: t('低价值', '低價值', 'Low value'),
  medium: t('中价值', '中價值', 'Medium value'),
  high: t('高价值', '高價值', 'High value'),
};

const cells: MatrixCell[] = CELLS.map(([row, col, action, tone]) => ({ row, col, level: levelKey(row, col), action, tone }));

export const riskValue: SchemeDefinition = {
  key: 'risk-value',
  subjectKind: 'customer',
  category: 'matrix',
  audience: 'staff',
  name: t('风险—价值矩阵', '風險—價值矩陣', 'Risk-value matrix'),
  overrides: TENANT_STAFF_OVERRIDES,
  // Rank orders the cells from "exit" (0) to "maximise lifetime value" (11): more rank, more attractive;
  // unassessed cells rank above the high-risk ones and below every assessed, acceptable risk.
  levels: CELLS.map(([row, col, , tone]) => {
    const r = RISK_TEXT[row] ?? t(row, row, row);
    const v = VALUE_TEXT[col] ?? t(col, col, col);
    return {
      key: levelKey(row, col),
      rank: RANK_ORDER.indexOf(levelKey(row, col)),
      name: t(`${r['zh-CN']}·${v['zh-CN']}`, `${r['zh-TW']}·${v['zh-TW']}`, `${r.en}, ${v.en}`),
      color: TONE_COLOR[tone],
    };
  }),
  policy: { id: 'risk-value', version: 2, kind: 'matrix', note: 'risk axis includes credit; a row for customers not assessed for AML' },
  matrix: {
    scheme: 'risk-value',
    rowScheme: 'risk-band',
    colScheme: 'value-band',
    rows: ['high', 'medium', 'low', 'unassessed'],
    cols: ['low', 'medium', 'high'],
    cells,
  },
};
