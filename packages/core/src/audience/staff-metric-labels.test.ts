import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { audienceView, compilePack, defaultPolicyPack, UNDISCLOSED } from '../index.js';
import type { Assignment, Evaluation, PolicyPack, SchemeDefinition } from '../index.js';

/*
 * A customer scheme that decides on PEP and an AML score, as a version stored before validation refused
 * it would (customer-reads.test.ts): written straight into the pack, past validation, with its rules left
 * without ids as a bank's author writes them.
 */
const vipCare = {
  key: 'vip-care',
  subjectKind: 'customer',
  category: 'value',
  audience: 'customer',
  name: { 'zh-CN': '贵宾关怀', 'zh-TW': '貴賓關懷', en: 'VIP care' },
  levels: [
    { key: 'standard', rank: 0, name: { 'zh-CN': '普通', 'zh-TW': '普通', en: 'Standard' }, color: 'neutral' },
    { key: 'high', rank: 1, name: { 'zh-CN': '高', 'zh-TW': '高', en: 'High' }, color: 'danger' },
  ],
  policy: {
    id: 'vip-care',
    version: 1,
    kind: 'rules',
    levels: [
      {
        level: 'high',
        when: {
          kind: 'any',
          of: [
            { kind: 'threshold', metric: 'pep', window: null, op: 'gte', value: 1 },
            { kind: 'threshold', metric: 'aml_customer_risk', window: null, op: 'gte', value: 70 },
          ],
        },
      },
    ],
  },
} as unknown as SchemeDefinition;

function assignmentOf(pack: PolicyPack, values: Record<string, Record<string, number>>): Assignment {
  const e = compilePack(pack)
    .evaluateSubject('customer', { asOf: '2026-11', values })
    .find((x) => x.scheme === 'vip-care') as Evaluation;
  return { ...e, schemeInfo: vipCare, period: '2026-11', evaluatedAt: '2026-12-01T00:00:00.000Z', override: null } as Assignment;
}

describe('a customer view never words a level by a metric kept from customers', () => {
  const pack: PolicyPack = { ...defaultPolicyPack, schemes: [...defaultPolicyPack.schemes, vipCare] };
  const customer = audienceView(pack, 'customer');

  it('withholds the words of an unnamed rule on PEP and on an AML score', () => {
    for (const values of [{ pep: { '2026-11': 1 } }, { aml_customer_risk: { '2026-11': 75 } }] as Record<
      string,
      Record<string, number>
    >[]) {
      const a = assignmentOf(pack, values);
      assert.equal(a.level, 'high');
      assert.notDeepEqual(a.explanation.decidedBy.label, UNDISCLOSED, 'staff see the rule’s words');
      const seen = customer.assignment(a);
      assert.deepEqual(seen.explanation.decidedBy, { kind: 'threshold', label: UNDISCLOSED });
      assert.deepEqual(seen.explanation.inputs, []);
      // The scheme summary is the scheme's criteria as stored; what is said of this customer is not.
      const { schemeInfo: _criteria, ...said } = seen;
      assert.doesNotMatch(JSON.stringify(said), /政治公众人物|政治公眾人物|politically|客户身份风险|pep|aml_/);
    }
  });

  it('withholds them for a staff-only metric no staff scheme reads, and for a rule of another version', () => {
    const bare: PolicyPack = {
      metrics: [...defaultPolicyPack.metrics],
      schemes: [
        ...defaultPolicyPack.schemes.filter((s) => s.key !== 'aml-risk' && s.key !== 'risk-band' && s.key !== 'risk-value'),
        vipCare,
      ],
    };
    const a = assignmentOf(bare, { pep: { '2026-11': 1 } });
    assert.deepEqual(audienceView(bare, 'customer').assignment(a).explanation.decidedBy.label, UNDISCLOSED);
    // The pack now holds a later version whose rule is named differently: the stored id is unknown to it.
    const renamed = JSON.parse(JSON.stringify(vipCare));
    renamed.policy.version = 2;
    renamed.policy.levels[0].level = 'high';
    renamed.policy.levels[0].when.id = 'care.v2';
    const later: PolicyPack = { ...defaultPolicyPack, schemes: [...defaultPolicyPack.schemes, renamed] };
    assert.deepEqual(audienceView(later, 'customer').assignment(a).explanation.decidedBy.label, UNDISCLOSED);
  });
});
