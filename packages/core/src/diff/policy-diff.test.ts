import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, diffPolicies, diffSchemes } from '../index.js';
import type { Policy } from '../index.js';

const stars = defaultPolicyPack.schemes.find((s) => s.key === 'star-rating')!;
const metrics = defaultPolicyPack.metrics;

describe('a policy diff reads right in each language', () => {
  it('score bands, hysteresis and a yes/no factor in zh-CN, zh-TW (traditional) and en', () => {
    const before = stars.policy as Extract<Policy, { kind: 'score' }>;
    const after: Policy = {
      ...before,
      version: 2,
      factors: [...before.factors, { id: 'card', metric: 'premium_card', window: null, weight: 5, transform: { kind: 'boolean' } }],
      bands: before.bands.map((b) => (b.level === 'star-5' ? { ...b, min: 85 } : b)),
      hysteresis: { downgradeAfterPeriods: 1, retentionPermille: 800 },
    };
    const byKey = Object.fromEntries(diffPolicies(before, after, stars, metrics).map((c) => [c.key, c.text]));
    assert.deepEqual(byKey['band:star-5'], {
      'zh-CN': '修改: 5星: 评分 ≥ 80 → 5星: 评分 ≥ 85',
      'zh-TW': '修改: 5星: 評分 ≥ 80 → 5星: 評分 ≥ 85',
      en: 'changed: 5 stars: score ≥ 80 → 5 stars: score ≥ 85',
    });
    assert.deepEqual(byKey.hysteresis, {
      'zh-CN': '修改: 连续 3 期低于标准后降级，达到标准的 90% 即保级 → 连续 1 期低于标准后降级，达到标准的 80% 即保级',
      'zh-TW': '修改: 連續 3 期低於標準後降級，達到標準的 90% 即保級 → 連續 1 期低於標準後降級，達到標準的 80% 即保級',
      en: 'changed: downgrade after 3 periods below, kept while ≥ 90 % of the line → downgrade after 1 period below, kept while ≥ 80 % of the line',
    });
    assert.equal(byKey['factor:card']?.['zh-TW'], '新增: 持有指定頂級信用卡 ×5% [是/否]');
    assert.equal(byKey['factor:card']?.en, 'added: holds a designated premium credit card ×5% [yes/no]');
  });

  it('a change of kind, and hysteresis that downgrades at once', () => {
    const rules: Policy = { id: 'x', version: 1, kind: 'rules', levels: [], hysteresis: { downgradeAfterPeriods: 0 } };
    const changes = diffPolicies(stars.policy, rules, stars, metrics);
    assert.deepEqual(changes.find((c) => c.key === 'kind')?.text, {
      'zh-CN': '策略类型：score → rules',
      'zh-TW': '策略類型：score → rules',
      en: 'policy kind: score → rules',
    });
    assert.equal(
      changes.find((c) => c.key === 'hysteresis')?.text['zh-TW'],
      '修改: 連續 3 期低於標準後降級，達到標準的 90% 即保級 → 低於標準即降級',
    );
  });
});

describe('a scheme diff: what an approver signs off beyond the policy', () => {
  const aml = defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk')!;
  const retail = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier')!;

  it('a threshold in money as core formats it, a level renamed, a sign-off dropped, the override rule loosened', () => {
    const levels = aml.levels.map((l) =>
      l.key === 'high' ? { ...l, approvalRequired: false } : l.key === 'low' ? { ...l, name: { ...l.name, en: 'Minimal' } } : l,
    );
    const after = { ...aml, levels, overrides: { ...aml.overrides!, maxDays: 365 } };
    const byKey = Object.fromEntries(diffSchemes(aml, after, metrics).map((c) => [c.key, c]));
    assert.equal(byKey['level:high']?.change, 'changed');
    assert.match(byKey['level:high']?.text['zh-CN'] ?? '', /需复核 是.*→.*需复核 否/);
    assert.equal(byKey['level:low']?.change, 'changed');
    assert.match(byKey['level:low']?.text.en ?? '', /→ level Minimal/);
    assert.match(Object.values(byKey).find((c) => c.key.startsWith('overrides'))?.text['zh-TW'] ?? '', /180.*→.*365/);
    assert.deepEqual(diffSchemes(aml, aml, metrics), [], 'nothing changed: nothing listed');

    const policy = structuredClone(retail.policy) as Extract<Policy, { kind: 'rules' }>;
    const gold = policy.levels.find((l) => l.level === 'gold')!.when as unknown as { of: { value: number }[] };
    gold.of[0]!.value = 15_000_000;
    const money = diffSchemes(retail, { ...retail, policy }, metrics).find((c) => c.change === 'changed');
    assert.match(money?.text.en ?? '', /¥50,000 .*→ .*¥150,000/);
  });
});
