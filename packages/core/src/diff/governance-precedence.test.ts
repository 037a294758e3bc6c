import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, governanceWeakenings, type SchemeDefinition } from '../index.js';
import type { ScoreFactor } from '../policy/policy-schema.js';

/*
 * A sign-off level reached less often while its own way in stays as written: something decides first
 * (a trigger moved ahead, a new or easier one to another level, a level ranked above it), its band's top
 * is taken, or its score's factors lose weight. Each shape is one change; its opposite none.
 */

const aml = defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk') as SchemeDefinition;
const keys = (before: SchemeDefinition, after: SchemeDefinition) => governanceWeakenings(before, after).map((c) => [c.key, c.change]);
type Score = Extract<SchemeDefinition['policy'], { kind: 'score' }>;
type Rules = Extract<SchemeDefinition['policy'], { kind: 'rules' }>;
const score = aml.policy as Score;
const withPolicy = (p: Partial<Score>): SchemeDefinition => ({ ...aml, policy: { ...score, ...p } });
const triggers = score.triggers ?? [];
const pep = triggers.find((x) => x.id === 'pep')!;
const unassessed = triggers.find((x) => x.id === 'unassessed')!;

describe('precedence: what decides before a sign-off level', () => {
  it('the unassessed trigger moved ahead of pep is one change naming it, in three languages; pep moved ahead is none', () => {
    const reordered = withPolicy({ triggers: [unassessed, pep] });
    assert.deepEqual(keys(aml, reordered), [['precedence:trigger:pep', 'changed']]);
    assert.deepEqual(governanceWeakenings(aml, reordered)[0]?.text, {
      'zh-CN': '复核等级 高 trigger:pep: 现先判定 trigger:unassessed→unassessed',
      'zh-TW': '複核等級 高 trigger:pep: 現先判定 trigger:unassessed→unassessed',
      en: 'sign-off level High trigger:pep: now decided first by trigger:unassessed→unassessed',
    });
    // The way back puts pep first again: a strengthening.
    assert.deepEqual(keys(reordered, aml), []);
  });

  it('a new trigger to a lower level takes from the 高 band and from pep behind it; after pep, from the band only', () => {
    const cleared = {
      id: 'cleared',
      level: 'low',
      label: { 'zh-CN': '已核实', 'zh-TW': '已核實', en: 'cleared' },
      when: { kind: 'threshold', id: 'cleared.flag', metric: 'pep', window: null, op: 'lt', value: 0 },
    } as const;
    assert.deepEqual(keys(aml, withPolicy({ triggers: [cleared, ...triggers] })), [
      ['precedence:band:high', 'changed'],
      ['precedence:trigger:pep', 'changed'],
    ]);
    assert.deepEqual(keys(aml, withPolicy({ triggers: [pep, cleared, unassessed] })), [['precedence:band:high', 'changed']]);
    // A new trigger to 高 itself takes nothing from it.
    assert.deepEqual(keys(aml, withPolicy({ triggers: [...triggers, { ...cleared, level: 'high' }] })), []);
  });

  it('a trigger ahead made easier to meet takes from 高’s band and pep behind it; harder is none', () => {
    // "No assessment within N months": a longer N catches more customers.
    const within = (value: number): typeof unassessed => {
      const when = unassessed.when;
      assert.ok(when.kind !== 'threshold');
      const of = when.of.map((c) => (c.kind === 'threshold' && c.id === 'unassessed.recent' ? { ...c, value } : c));
      return { ...unassessed, when: { ...when, of } };
    };
    const before = withPolicy({ triggers: [within(1), pep] });
    assert.deepEqual(keys(before, withPolicy({ triggers: [within(5), pep] })), [
      ['precedence:band:high', 'changed'],
      ['precedence:trigger:pep', 'changed'],
    ]);
    assert.deepEqual(keys(before, withPolicy({ triggers: [within(0), pep] })), []);
  });

  it('rules: a level ranked above the sign-off level takes from it; its rule made easier too; a level below does not', () => {
    const rules: SchemeDefinition = {
      ...aml,
      policy: {
        id: 'aml-rules',
        version: 1,
        kind: 'rules',
        levels: [
          {
            level: 'medium',
            when: { kind: 'threshold', id: 'medium.score', metric: 'aml_customer_risk', window: null, op: 'gte', value: 40 },
          },
          { level: 'high', when: { kind: 'threshold', id: 'high.score', metric: 'aml_customer_risk', window: null, op: 'gte', value: 80 } },
        ],
      },
    };
    const levels = rules.levels;
    const high = levels.find((v) => v.key === 'high')!;
    // medium-high put above 高 in rank, with a rule: whoever meets both now gets 中高.
    const above: SchemeDefinition = {
      ...rules,
      levels: [...levels.filter((v) => v.key !== 'high' && v.key !== 'medium-high'), high, levels.find((v) => v.key === 'medium-high')!],
      policy: {
        ...(rules.policy as Rules),
        levels: [
          ...(rules.policy as Rules).levels,
          {
            level: 'medium-high',
            when: { kind: 'threshold', id: 'mh.score', metric: 'aml_customer_risk', window: null, op: 'gte', value: 60 },
          },
        ],
      },
    };
    assert.deepEqual(keys(rules, above), [['precedence:rule:high', 'changed']]);
    // Below 高, the same rule takes nothing from it.
    const below: SchemeDefinition = {
      ...rules,
      policy: {
        ...(rules.policy as Rules),
        levels: [
          ...(rules.policy as Rules).levels,
          {
            level: 'medium-high',
            when: { kind: 'threshold', id: 'mh.score', metric: 'aml_customer_risk', window: null, op: 'gte', value: 60 },
          },
        ],
      },
    };
    assert.deepEqual(keys(rules, below), []);
    // Ranked above already, its threshold lowered takes more.
    const lower: SchemeDefinition = {
      ...above,
      policy: {
        ...(above.policy as Rules),
        levels: (above.policy as Rules).levels.map((r) =>
          r.level === 'medium-high' && r.when.kind === 'threshold' ? { ...r, when: { ...r.when, value: 50 } } : r,
        ),
      },
    };
    assert.deepEqual(keys(above, lower), [['precedence:rule:high', 'changed']]);
    assert.deepEqual(keys(lower, above), []);
  });
});

describe('a score: the sign-off band’s top and the factors’ weights', () => {
  it('a band of another level put above 高 takes its top: one change; moved up, none', () => {
    const capped = withPolicy({ bands: [...score.bands, { level: 'medium-high', min: 90 }] });
    assert.deepEqual(keys(aml, capped), [['reach:band:high/ceiling', 'changed']]);
    assert.match(governanceWeakenings(aml, capped)[0]?.text.en ?? '', /score ceiling: none → 90/);
    const higher = withPolicy({ bands: [...score.bands, { level: 'medium-high', min: 95 }] });
    assert.deepEqual(keys(capped, higher), []);
  });

  it('weight moved from the customer factor to the industry factor: both flagged, with their weights; back and forth alike', () => {
    const moved = withPolicy({
      factors: score.factors.map((f) => (f.id === 'customer' ? { ...f, weight: 20 } : f.id === 'industry' ? { ...f, weight: 35 } : f)),
    });
    assert.deepEqual(keys(aml, moved), [
      ['reach:factor:customer', 'changed'],
      ['reach:factor:industry', 'changed'],
    ]);
    assert.equal(governanceWeakenings(aml, moved)[0]?.text['zh-CN'], '复核等级 高 评分因子 customer: 权重 30 → 20');
    // Weights have no order: moving them back is as unorderable.
    assert.equal(keys(moved, aml).length, 2);
  });

  it('a factor removed is a change; a transform giving every value at least its points is none, stingier is one', () => {
    const [first, ...rest] = score.factors as [ScoreFactor, ...ScoreFactor[]];
    const dropped = withPolicy({
      factors: [...rest.slice(0, -1), { ...rest[rest.length - 1]!, weight: rest[rest.length - 1]!.weight + first.weight }],
    });
    assert.ok(keys(aml, dropped).some(([k, c]) => k === 'reach:factor:customer' && c === 'removed'));
    const transform = (tr: ScoreFactor['transform']) => withPolicy({ factors: [{ ...first, transform: tr }, ...rest] });
    assert.deepEqual(keys(aml, transform({ kind: 'linear', from: 0, to: 80 })), []);
    assert.deepEqual(keys(aml, transform({ kind: 'linear', from: 10, to: 100 })), [['reach:factor:customer', 'changed']]);
    const stepped = transform({
      kind: 'bands',
      bands: [
        { min: 0, points: 0 },
        { min: 50, points: 60 },
        { min: 80, points: 100 },
      ],
    });
    const generous = transform({
      kind: 'bands',
      bands: [
        { min: 0, points: 0 },
        { min: 40, points: 60 },
        { min: 80, points: 100 },
      ],
    });
    const stingy = transform({
      kind: 'bands',
      bands: [
        { min: 0, points: 0 },
        { min: 50, points: 50 },
        { min: 80, points: 100 },
      ],
    });
    assert.deepEqual(keys(stepped, generous), []);
    assert.deepEqual(keys(stepped, stingy), [['reach:factor:customer', 'changed']]);
  });

  it('a scheme without sign-off levels is not held to any of it', () => {
    const tier = { ...aml, levels: aml.levels.map(({ approvalRequired: _a, ...v }) => v) } as SchemeDefinition;
    const moved = { ...tier, policy: { ...score, triggers: [unassessed, pep], factors: score.factors.map((f) => ({ ...f, weight: 25 })) } };
    assert.deepEqual(keys(tier, moved as SchemeDefinition), []);
  });
});
