import { defaultPolicyPack, validatePolicyPack, type PolicyPack, type SchemeDefinition } from '@tierkit/core';

const t = (zh: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': zh, en });

/** A small AML scheme on one score metric, so the suite has a risk scheme whatever the default pack holds. */
const amlTest: SchemeDefinition = {
  key: 'aml-test',
  subjectKind: 'customer',
  category: 'risk',
  audience: 'staff',
  name: t('反洗钱风险', 'AML risk'),
  levels: [
    { key: 'low', rank: 0, name: t('低', 'Low'), color: 'success' },
    { key: 'high', rank: 1, name: t('高', 'High'), color: 'danger' },
  ],
  policy: {
    id: 'aml-test',
    version: 1,
    kind: 'rules',
    levels: [
      { level: 'high', when: { kind: 'threshold', id: 'high.score', metric: 'aml_customer_risk', window: null, op: 'gte', value: 80 } },
    ],
    hysteresis: { downgradeAfterPeriods: 0 },
  },
  entitlements: {
    low: [],
    high: [
      {
        kind: 'restriction',
        key: 'edd',
        label: t('强化尽职调查', 'enhanced due diligence'),
        reason: t('高风险', 'high risk'),
        blocks: ['priority-lane'],
      },
    ],
  },
};

/** Risk × value over the two schemes above: the matrix endpoints need one. */
const riskValueTest: SchemeDefinition = {
  key: 'risk-value-test',
  subjectKind: 'customer',
  category: 'matrix',
  audience: 'staff',
  name: t('风险价值矩阵', 'risk × value'),
  levels: [
    { key: 'observe', rank: 0, name: t('观察', 'Observe'), color: 'caution' },
    { key: 'grow', rank: 1, name: t('发展', 'Grow'), color: 'info' },
  ],
  policy: { id: 'risk-value-test', version: 1, kind: 'matrix' },
  matrix: {
    scheme: 'risk-value-test',
    rowScheme: 'aml-test',
    colScheme: 'retail-tier',
    rows: ['high', 'low'],
    cols: ['standard', 'gold', 'platinum', 'diamond'],
    cells: ['high', 'low'].flatMap((row) =>
      ['standard', 'gold', 'platinum', 'diamond'].map((col) => ({
        row,
        col,
        level: row === 'low' ? 'grow' : 'observe',
        action: t('跟进', 'follow up'),
        tone: row === 'low' ? ('good' as const) : ('caution' as const),
      })),
    ),
  },
};

/** The default pack's metrics and card tiers (without their override rule) plus the two schemes above, validated. */
export function testPack(): PolicyPack {
  const found = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier');
  if (!found) throw new Error('the default pack has no retail-tier scheme');
  // Without the default pack's override rule for the card tier (an expiry within a year, one tier at a
  // time): the suite's overrides test four eyes, books and closing, filing what they need; the rule
  // itself is tested on the default pack (tests/api/override-rules.test.ts).
  const { overrides: _rule, ...retail } = found;
  const pack: PolicyPack = { metrics: defaultPolicyPack.metrics, schemes: [retail, amlTest, riskValueTest] };
  const checked = validatePolicyPack(pack);
  if (!checked.ok) throw new Error(`test pack invalid: ${JSON.stringify(checked.errors)}`);
  return checked.pack;
}

/** {@link testPack} with AML "high" needing a second person's approval: a move into it opens a sign-off. */
export function approvalTestPack(): PolicyPack {
  const pack = testPack();
  return {
    ...pack,
    schemes: pack.schemes.map((s) =>
      s.key === 'aml-test' ? { ...s, levels: s.levels.map((l) => (l.key === 'high' ? { ...l, approvalRequired: true } : l)) } : s,
    ),
  };
}

/**
 * {@link testPack} with two AML levels that need a sign-off: "medium" (score 50 or more) and "high"
 * (80 or more). A move from one into the other supersedes the pending sign-off of the first.
 */
export function twoSignOffPack(): PolicyPack {
  const pack = testPack();
  const schemes = pack.schemes.map((s): SchemeDefinition => {
    if (s.matrix?.rowScheme === 'aml-test') {
      const medium = s.matrix.cells.filter((c) => c.row === 'high').map((c) => ({ ...c, row: 'medium' }));
      return { ...s, matrix: { ...s.matrix, rows: ['high', 'medium', 'low'], cells: [...s.matrix.cells, ...medium] } };
    }
    if (s.key !== 'aml-test' || s.policy.kind !== 'rules') return s;
    return {
      ...s,
      levels: [
        { key: 'low', rank: 0, name: t('低', 'Low'), color: 'success' },
        { key: 'medium', rank: 1, name: t('中', 'Medium'), color: 'warning', approvalRequired: true },
        { key: 'high', rank: 2, name: t('高', 'High'), color: 'danger', approvalRequired: true },
      ],
      policy: {
        ...s.policy,
        levels: [
          ...s.policy.levels,
          {
            level: 'medium',
            when: { kind: 'threshold', id: 'medium.score', metric: 'aml_customer_risk', window: null, op: 'gte', value: 50 },
          },
        ],
      },
      entitlements: { ...s.entitlements, medium: [] },
    };
  });
  const checked = validatePolicyPack({ metrics: pack.metrics, schemes });
  if (!checked.ok) throw new Error(`two sign-off pack invalid: ${JSON.stringify(checked.errors)}`);
  return checked.pack;
}

/**
 * {@link approvalTestPack} with the default pack's AML readers on `aml-test` (officers, approvers and
 * admins of the whole bank: docs/permissions.md, "Who reads a scheme's levels") and `band-test`, a band
 * read from the grade (first, so it names the grade on a tie) as the default pack's risk band is, naming
 * no readers of its own.
 */
export function readersTestPack(): PolicyPack {
  const p = approvalTestPack();
  const readers = { roles: ['officer', 'approver', 'admin'] } as const;
  const schemes = p.schemes.map((s) => (s.key === 'aml-test' ? { ...s, readers } : s));
  const aml = schemes.find((s) => s.key === 'aml-test')!;
  const band = {
    ...aml,
    key: 'band-test',
    category: 'risk',
    readers: undefined,
    overrides: undefined,
    levels: aml.levels.map((l) => ({ ...l, approvalRequired: undefined })),
    entitlements: undefined,
    // A band level only AML 高 led to would be that grade under another name (`grade_disclosed`,
    // check-grade-disclosure.ts), and the value tier blended in would not hide it: its staff read the
    // tier. With two AML levels, a band that coarsens maps both to one level — as the default pack maps
    // AML 中高 and 高 to 高风险 — and the value tier's diamond to it too, so R1's 高 is still read from the grade.
    policy: {
      id: 'band-test',
      version: 1,
      kind: 'derived',
      from: 'aml-test',
      map: { low: 'high', high: 'high' },
      alsoFrom: [{ from: 'retail-tier', map: { standard: 'low', gold: 'low', platinum: 'low', diamond: 'high' } }],
    },
  } as unknown as SchemeDefinition;
  return { ...p, schemes: [...schemes, JSON.parse(JSON.stringify(band)) as SchemeDefinition] };
}
