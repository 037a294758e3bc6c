import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, governanceWeakenings, strongestApprover, type SchemeDefinition } from '../index.js';

const aml = defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk') as SchemeDefinition;
const tier = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier') as SchemeDefinition;

describe('which changes of a scheme weaken its governance', () => {
  it('removing the AML sign-off, the lowering approval, the admin for loosening and the six-month bound: one change each, in three languages', () => {
    const { loweringNeeds: _gone, ...rest } = aml;
    const after: SchemeDefinition = {
      ...rest,
      levels: aml.levels.map(({ approvalRequired: _a, ...l }) => l),
      overrides: {
        ...(aml.overrides ?? { requestedBy: 'tenant', approvedBy: 'approver', maxDays: 180 }),
        loosenNeeds: 'approver',
        maxDays: 3650,
      },
    };
    const changes = governanceWeakenings(aml, after);
    assert.deepEqual(
      changes.map((c) => [c.key, c.change]),
      [
        ['level:high/approvalRequired', 'changed'],
        ['loweringNeeds', 'changed'],
        ['overrides/loosenNeeds', 'changed'],
        ['overrides/maxDays', 'changed'],
      ],
    );
    assert.deepEqual(changes[3]?.text, {
      'zh-CN': '人工调整最长期限: 180 天 → 3650 天',
      'zh-TW': '人工調整最長期限: 180 天 → 3650 天',
      en: 'longest override: 180 days → 3650 days',
    });
    assert.equal(strongestApprover(aml), 'admin', 'loosening an AML grade is an admin’s');
  });

  it('tightening weakens nothing; a level removed that needed a sign-off does; the card tier asks no more than an approver', () => {
    const stricter: SchemeDefinition = {
      ...aml,
      overrides: {
        ...(aml.overrides ?? { requestedBy: 'tenant', approvedBy: 'approver', maxDays: 180 }),
        maxDays: 90,
        approvedBy: 'admin',
      },
    };
    assert.deepEqual(governanceWeakenings(aml, stricter), []);
    const withoutHigh: SchemeDefinition = { ...aml, levels: aml.levels.filter((l) => l.key !== 'high') };
    assert.ok(governanceWeakenings(aml, withoutHigh).some((c) => c.key === 'level:high/approvalRequired' && c.change === 'removed'));
    assert.equal(strongestApprover(tier), 'approver');
  });

  it('a staff scheme shown to customers, its blocks noticed, or a sign-off level applied only once signed: each a weakening', () => {
    const high = aml.levels.find((l) => l.approvalRequired === true);
    assert.ok(high, 'the AML scheme has a sign-off level');
    const after: SchemeDefinition = {
      ...aml,
      audience: 'customer',
      customerBlocks: 'notice',
      levels: aml.levels.map((l) => (l.key === high.key ? { ...l, whilePending: 'previous' as const } : l)),
    };
    const changes = governanceWeakenings(aml, after);
    assert.deepEqual(changes.map((c) => c.key).sort(), [`level:${high.key}/whilePending`, 'customerBlocks', 'scheme:audience'].sort());
    assert.equal(changes.find((c) => c.key === 'scheme:audience')?.text.en, 'audience: staff only → customers too');
  });

  it('a level removed that guarded nothing weakens nothing; one that lost its sign-off says so once', () => {
    const top = aml.levels.at(-1);
    assert.ok(top);
    const watch = { key: 'watch', rank: top.rank + 1, name: { 'zh-CN': '观察', 'zh-TW': '觀察', en: 'Watch' }, color: top.color };
    assert.deepEqual(governanceWeakenings({ ...aml, levels: [...aml.levels, watch] }, aml), []);
    const bare: SchemeDefinition = { ...aml, levels: aml.levels.map((l) => ({ key: l.key, rank: l.rank, name: l.name, color: l.color })) };
    const keys = governanceWeakenings(aml, bare).map((c) => c.key);
    assert.ok(!keys.some((k) => k.endsWith('/whilePending')), keys.join(', '));
  });
});
