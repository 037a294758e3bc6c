import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { Condition } from '../policy/policy-schema.js';
import { t, yuan } from './text.js';
import { TENANT_STAFF_OVERRIDES } from './override-rules.js';

/*
 * Corporate size, docs/domain.md §7 (工信部联企业〔2011〕300号): large, medium and small must meet every
 * lower bound of their industry; micro is what remains. Industry is the metric `industry_code`:
 * 1 industry 工业, 2 wholesale 批发, 3 retail 零售, 4 software & IT services 软件和信息技术服务.
 * Revenue thresholds are in ¥10,000 in the table, stored here in fen.
 */
export const INDUSTRY_CODES = { industry: 1, wholesale: 2, retail: 3, software: 4 } as const;

// [industry, [staff, revenue in ¥10,000] for large, medium, small]
const TABLE: readonly (readonly [keyof typeof INDUSTRY_CODES, readonly (readonly [number, number])[]])[] = [
  [
    'industry',
    [
      [1000, 40000],
      [300, 2000],
      [20, 300],
    ],
  ],
  [
    'wholesale',
    [
      [200, 40000],
      [20, 5000],
      [5, 1000],
    ],
  ],
  [
    'retail',
    [
      [300, 20000],
      [50, 500],
      [10, 100],
    ],
  ],
  [
    'software',
    [
      [300, 10000],
      [100, 1000],
      [10, 50],
    ],
  ],
];
const SIZES = ['large', 'medium', 'small'] as const;
const LATEST_YEAR = { fn: 'last', months: 12, missing: 'shorten' } as const;

function sizeRule(sizeIndex: number): Condition {
  return {
    kind: 'any',
    id: SIZES[sizeIndex] ?? '',
    of: TABLE.map(([industry, rows]) => {
      const [staff, revenue] = rows[sizeIndex] ?? [0, 0];
      const id = `${SIZES[sizeIndex]}.${industry}`;
      return {
        kind: 'all',
        id,
        of: [
          { kind: 'threshold', id: `${id}.industry`, metric: 'industry_code', window: null, op: 'eq', value: INDUSTRY_CODES[industry] },
          { kind: 'threshold', id: `${id}.employees`, metric: 'employees', window: LATEST_YEAR, op: 'gte', value: staff },
          {
            kind: 'threshold',
            id: `${id}.revenue`,
            metric: 'annual_revenue',
            window: LATEST_YEAR,
            op: 'gte',
            value: yuan(revenue * 10_000),
          },
        ],
      } satisfies Condition;
    }),
  };
}

export const corporateSize: SchemeDefinition = {
  key: 'corporate-size',
  subjectKind: 'corporate',
  category: 'size',
  audience: 'staff',
  name: t('企业规模', '企業規模', 'Company size'),
  overrides: TENANT_STAFF_OVERRIDES,
  // `unclassified`: an industry this table does not cover (or none recorded). Micro is "below one bound
  // of its own industry's row"; a firm whose row is not here is not micro, whatever its size.
  levels: [
    { key: 'unclassified', rank: 0, name: t('未分类', '未分類', 'Unclassified'), color: 'neutral' },
    { key: 'micro', rank: 1, name: t('微型', '微型', 'Micro'), color: 'neutral' },
    { key: 'small', rank: 2, name: t('小型', '小型', 'Small'), color: 'bronze' },
    { key: 'medium', rank: 3, name: t('中型', '中型', 'Medium'), color: 'silver' },
    { key: 'large', rank: 4, name: t('大型', '大型', 'Large'), color: 'gold' },
  ],
  policy: {
    id: 'corporate-size',
    version: 2,
    kind: 'rules',
    note: 'an industry outside the table is "unclassified", not micro',
    levels: [
      {
        level: 'micro',
        when: {
          kind: 'any',
          id: 'micro',
          of: TABLE.map(([industry]) => ({
            kind: 'threshold',
            id: `micro.${industry}`,
            metric: 'industry_code',
            window: null,
            op: 'eq',
            value: INDUSTRY_CODES[industry],
          })),
        },
      },
      { level: 'small', when: sizeRule(2) },
      { level: 'medium', when: sizeRule(1) },
      { level: 'large', when: sizeRule(0) },
    ],
    hysteresis: { downgradeAfterPeriods: 0 },
  },
};

/*
 * Employee grade, docs/domain.md §6 (seed 000): senior / intermediate / junior by ability, performance
 * and position, evaluated periodically. No source gives figures: these are defaults to configure.
 */
export const employeeGrade: SchemeDefinition = {
  key: 'employee-grade',
  subjectKind: 'employee',
  category: 'grade',
  audience: 'staff',
  name: t('员工等级', '員工等級', 'Employee grade'),
  overrides: TENANT_STAFF_OVERRIDES,
  levels: [
    { key: 'junior', rank: 0, name: t('初级', '初級', 'Junior'), color: 'neutral' },
    { key: 'intermediate', rank: 1, name: t('中级', '中級', 'Intermediate'), color: 'silver' },
    { key: 'senior', rank: 2, name: t('高级', '高級', 'Senior'), color: 'gold' },
  ],
  policy: {
    id: 'employee-grade',
    version: 1,
    kind: 'rules',
    levels: (
      [
        ['intermediate', 70, 24],
        ['senior', 85, 60],
      ] as const
    ).map(([level, perf, tenure]) => ({
      level,
      when: {
        kind: 'all',
        id: level,
        of: [
          {
            kind: 'threshold',
            id: `${level}.performance`,
            metric: 'performance_score',
            window: { fn: 'avg', months: 12, missing: 'shorten' },
            op: 'gte',
            value: perf,
          },
          { kind: 'threshold', id: `${level}.tenure`, metric: 'tenure_months', window: null, op: 'gte', value: tenure },
        ],
      } satisfies Condition,
    })),
    hysteresis: { downgradeAfterPeriods: 12 },
  },
  entitlements: {
    junior: [{ kind: 'feature', key: 'base-pay', label: t('基本薪酬与福利', '基本薪酬與福利', 'Base pay and benefits') }],
    intermediate: [
      { kind: 'feature', key: 'base-pay', label: t('基本薪酬与福利', '基本薪酬與福利', 'Base pay and benefits') },
      { kind: 'feature', key: 'training', label: t('培训与发展计划', '訓練與發展計畫', 'Training and development') },
    ],
    senior: [
      { kind: 'feature', key: 'base-pay', label: t('基本薪酬与福利', '基本薪酬與福利', 'Base pay and benefits') },
      { kind: 'feature', key: 'higher-bonus', label: t('更高奖金与晋升机会', '更高獎金與晉升機會', 'Higher bonus and promotion') },
    ],
  },
};
