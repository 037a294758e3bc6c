import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, diffSchemes } from '../index.js';
import type { EntitlementDef, SchemeDefinition } from '../index.js';

const tier = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier')!;
const metrics = defaultPolicyPack.metrics;

/** The retail tier with `gold`'s entitlements passed through `edit`. */
function goldWith(edit: (list: readonly EntitlementDef[]) => EntitlementDef[]): SchemeDefinition {
  return { ...tier, entitlements: { ...tier.entitlements, gold: edit(tier.entitlements?.gold ?? []) } };
}

const rate =
  (bp: number) =>
  (e: EntitlementDef): EntitlementDef =>
    e.key === 'deposit-rate' && e.kind === 'rate' ? { ...e, bp } : e;

describe('a scheme diff lists what a level entitles', () => {
  it('a deposit rate moved from +10bp to +15bp on gold, in zh-CN, zh-TW and en', () => {
    const before = goldWith((l) => l.map(rate(10)));
    const after = goldWith((l) => l.map(rate(15)));
    const changes = diffSchemes(before, after, metrics);
    assert.deepEqual(
      changes.map((c) => [c.key, c.change]),
      [['entitlement:gold/deposit-rate', 'changed']],
    );
    assert.deepEqual(changes[0]?.text, {
      'zh-CN': '修改: 金卡 权益 存款利率上浮（+10bp） → 金卡 权益 存款利率上浮（+15bp）',
      'zh-TW': '修改: 金卡 權益 存款利率加碼（+10bp） → 金卡 權益 存款利率加碼（+15bp）',
      en: 'changed: Gold benefit Deposit rate uplift (+10bp) → Gold benefit Deposit rate uplift (+15bp)',
    });
  });

  it('benefits added and removed per level, quotas and a fee waiver', () => {
    const lounge = (tier.entitlements?.platinum ?? []).find((e) => e.key === 'lounge');
    assert.ok(lounge, 'platinum has lounge visits in the default pack');
    const after = goldWith((l) => [...l.filter((e) => e.key !== 'fee-waiver-transfer'), lounge]);
    assert.ok(
      (tier.entitlements?.gold ?? []).some((e) => e.key === 'fee-waiver-transfer'),
      'gold waives transfer fees in the default pack',
    );
    const byKey = Object.fromEntries(diffSchemes(tier, after, metrics).map((c) => [c.key, c]));
    assert.equal(byKey['entitlement:gold/fee-waiver-transfer']?.change, 'removed');
    assert.equal(byKey['entitlement:gold/fee-waiver-transfer']?.text['zh-TW'], '刪除: 金卡 權益 跨行轉帳手續費減免');
    assert.equal(byKey['entitlement:gold/lounge']?.change, 'added');
    assert.match(byKey['entitlement:gold/lounge']?.text['zh-CN'] ?? '', /^新增: 金卡 权益 机场贵宾厅（每年 \d+ 次）$/);
    assert.match(byKey['entitlement:gold/lounge']?.text.en ?? '', /^added: Gold benefit Airport lounge visits \(\d+ a year\)$/);
  });

  it('a level renamed or given a review cycle, and an override rule loosened, are listed', () => {
    const after: SchemeDefinition = {
      ...tier,
      levels: tier.levels.map((v) => (v.key === 'gold' ? { ...v, name: { ...v.name, 'zh-CN': '金卡（新）' }, reviewMonths: 12 } : v)),
      overrides: { requestedBy: 'book', approvedBy: 'approver', maxDays: 730, maxStep: 1 },
    };
    const changes = diffSchemes(tier, after, metrics);
    assert.deepEqual(changes.map((c) => c.key).sort(), ['level:gold', 'overrides']);
    assert.match(changes.find((c) => c.key === 'level:gold')?.text['zh-CN'] ?? '', /每 12 个月复评/);
    assert.match(changes.find((c) => c.key === 'overrides')?.text['zh-CN'] ?? '', /最长 366 天.*→.*最长 730 天/);
  });

  it('an any-group turned into an all-group is a change, not "same"', () => {
    const policy = tier.policy;
    assert.equal(policy.kind, 'rules');
    if (policy.kind !== 'rules') return;
    const after: SchemeDefinition = {
      ...tier,
      policy: {
        ...policy,
        levels: policy.levels.map((r) => (r.level === 'gold' && r.when.kind === 'any' ? { ...r, when: { ...r.when, kind: 'all' } } : r)),
      },
    };
    const changes = diffSchemes(tier, after, metrics);
    assert.deepEqual(
      changes.map((c) => [c.key, c.change]),
      [['rule:gold/group:gold', 'changed']],
    );
    assert.equal(changes[0]?.text['zh-CN'], '修改: 金卡: 满足任一条件 → 金卡: 须同时满足全部条件');
  });

  it('a section that changed without a described line says 其他变更 rather than nothing', () => {
    // A threshold's label is read by no line of the diff: changing only that must still show.
    const policy = tier.policy;
    if (policy.kind !== 'rules') return assert.fail('rules');
    const after = structuredClone(tier) as SchemeDefinition & { policy: { levels: { when: { label?: unknown } }[] } };
    after.policy.levels[0]!.when.label = { 'zh-CN': '资产或收入', 'zh-TW': '資產或收入', en: 'assets or income' };
    const changes = diffSchemes(tier, after, metrics);
    assert.deepEqual(changes, [
      {
        key: 'other:policy',
        change: 'changed',
        text: { 'zh-CN': '其他变更: 评级规则', 'zh-TW': '其他變更: 評級規則', en: 'other changes: rules' },
      },
    ]);
  });

  it('the same document, its id, stored version or note changed, or an empty level list added, is no change', () => {
    const after: SchemeDefinition = {
      ...tier,
      policy: { ...tier.policy, version: 7, note: 'why' },
      entitlements: { ...tier.entitlements, nobody: [] },
    };
    assert.deepEqual(diffSchemes(tier, structuredClone(tier), metrics), []);
    assert.deepEqual(diffSchemes(tier, after, metrics), []);
  });
});

describe('a scheme diff shows a level’s customer face', () => {
  it('adopting 基础 for 风险 (a tenant created before the face) reads as what customers will read, in each locale', () => {
    const savings = defaultPolicyPack.schemes.find((s) => s.key === 'savings-grade')!;
    const before: SchemeDefinition = { ...savings, levels: savings.levels.map(({ customer: _face, ...v }) => v) };
    const changes = diffSchemes(before, savings, metrics);
    assert.deepEqual(
      changes.map((c) => c.key),
      ['level:risk'],
    );
    const text = changes[0]?.text;
    assert.match(text?.['zh-CN'] ?? '', /→ 等级 风险（.*客户看到 基础（neutral））$/);
    assert.match(text?.['zh-TW'] ?? '', /客戶看到 基礎（neutral）/);
    assert.match(text?.en ?? '', /customers read Basic \(neutral\)\)$/);
  });
});
