// What the approvals queue and the policy page say about a request and a decision: levels by name
// from → to, the override's mode in the request form's words, the decided line built from the
// decision, a provisioned version in force from the start, counts grouped by thousands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApprovalItem, Decided } from '@tierkit/admin';
import type { SchemeSummary } from '@tierkit/core';
import { APPROVALS_WORDS } from '../../apps/admin/src/pages/approvals.words.js';
import { decidedLine, effectiveDay, requestLine } from '../../apps/admin/src/pages/decision-text.js';
import { OVERRIDE_WORDS } from '../../apps/admin/src/pages/overrides.words.js';
import { POLICY_WORDS } from '../../apps/admin/src/pages/policies.words.js';
import { schemeNames } from '../../apps/admin/src/scheme-names.js';

const tier = {
  key: 'card-tier',
  name: { 'zh-CN': '客户等级', 'zh-TW': '客戶等級', en: 'Customer tier' },
  levels: [
    { key: 'gold', name: { 'zh-CN': '金卡', 'zh-TW': '金卡', en: 'Gold' } },
    { key: 'diamond', name: { 'zh-CN': '钻石卡', 'zh-TW': '鑽石卡', en: 'Diamond' } },
  ],
} as unknown as SchemeSummary;

const base: ApprovalItem = {
  kind: 'override',
  id: 'ovr_1',
  scheme: 'card-tier',
  subject: 'C000001',
  summary: 'from the API',
  reason: 'Family office moving its deposits here',
  currentLevel: 'gold',
  fromLevel: 'gold',
  level: 'diamond',
  mode: 'floor',
  expiresAt: '2026-12-31T15:59:59.000Z',
  period: null,
  requestedBy: 'staff:MAKER01',
  requestedByStaff: 'MAKER01',
  requestedAt: '2026-12-01T02:00:00.000Z',
  ageSeconds: 60,
  contentHash: 'h',
  requestedByYou: false,
  approvalNeeds: 'approver',
  approvalBlocked: null,
};

describe('console: what a request and a decision say', () => {
  it('an override: the levels by name from → to, its mode in the request form’s words, in each language', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const line = requestLine(base, schemeNames([tier], locale), locale);
      // The request form's words, lower case mid-line in English.
      assert.ok(line.toLowerCase().includes((OVERRIDE_WORDS[locale].modes.floor ?? '?').toLowerCase()), `${locale}: ${line}`);
      assert.doesNotMatch(line, /保底|fixed\)|floor\)/);
    }
    assert.equal(requestLine(base, schemeNames([tier], 'zh-CN'), 'zh-CN'), '客户等级: 金卡 → 钻石卡（不低于该等级）');
    assert.equal(
      requestLine({ ...base, mode: 'fixed', currentLevel: null, fromLevel: null }, schemeNames([tier], 'en'), 'en'),
      'Customer tier: — → Diamond (exactly this level)',
    );
  });

  it('an override that would not move the level has no arrow: the mode, the level and the level now', () => {
    // A floor of Gold for a Diamond customer: the API sends no fromLevel, since nothing moves.
    const floorBelow: ApprovalItem = { ...base, currentLevel: 'diamond', fromLevel: null, level: 'gold' };
    assert.equal(requestLine(floorBelow, schemeNames([tier], 'zh-CN'), 'zh-CN'), '客户等级: 不低于 金卡（当前 钻石卡）');
    assert.equal(requestLine(floorBelow, schemeNames([tier], 'zh-TW'), 'zh-TW'), '客戶等級: 不低於 金卡（目前 鑽石卡）');
    assert.equal(requestLine(floorBelow, schemeNames([tier], 'en'), 'en'), 'Customer tier: never below Gold (now Diamond)');
    const fixedSame: ApprovalItem = { ...base, mode: 'fixed', currentLevel: 'gold', fromLevel: null, level: 'gold' };
    assert.equal(requestLine(fixedSame, schemeNames([tier], 'en'), 'en'), 'Customer tier: exactly Gold (now Gold)');
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      assert.doesNotMatch(requestLine(floorBelow, schemeNames([tier], locale), locale), /→/);
    }
  });

  it('a sign-off says its month; a policy version, and an item from an API without levels, keep the API’s summary', () => {
    const level: ApprovalItem = { ...base, kind: 'level', id: 'C1:card-tier', mode: null, period: '2026-11', reason: null };
    assert.equal(requestLine(level, schemeNames([tier], 'zh-CN'), 'zh-CN'), '客户等级: 金卡 → 钻石卡（2026-11）');
    const policy: ApprovalItem = { ...base, kind: 'policy', id: 'card-tier@2', level: null, summary: '客户等级 第 2 版，待审批' };
    assert.equal(requestLine(policy, schemeNames([tier], 'zh-CN'), 'zh-CN'), '客户等级 第 2 版，待审批');
    const older = { ...base, level: undefined } as unknown as ApprovalItem;
    assert.equal(requestLine(older, schemeNames([tier], 'zh-CN'), 'zh-CN'), 'from the API');
  });

  it('a lowering request names the move away from the held level, not the held level twice, in each language', () => {
    // The API sends the held level as `level` and `fromLevel`, the grade approving lets in as `proposedLevel`.
    const lowering: ApprovalItem = {
      ...base,
      kind: 'level',
      id: 'C1:card-tier',
      mode: null,
      period: '2026-11',
      reason: null,
      currentLevel: 'diamond',
      fromLevel: 'diamond',
      level: 'diamond',
      proposedLevel: 'gold',
    };
    assert.equal(requestLine(lowering, schemeNames([tier], 'zh-CN'), 'zh-CN'), '客户等级: 降级审批 钻石卡 → 金卡（2026-11）');
    assert.equal(requestLine(lowering, schemeNames([tier], 'zh-TW'), 'zh-TW'), '客戶等級: 降級審核 鑽石卡 → 金卡（2026-11）');
    assert.equal(requestLine(lowering, schemeNames([tier], 'en'), 'en'), 'Customer tier: lowering for approval Diamond → Gold (2026-11)');
  });

  it('a decided policy version is named from the decision, not by its stale “waiting for approval” summary', () => {
    const policy: ApprovalItem = { ...base, kind: 'policy', id: 'card-tier@2', level: null, summary: '客户等级 第 2 版，待审批' };
    const d: Decided = { key: 'policy:card-tier@2', item: policy, action: 'approve' };
    assert.equal(decidedLine(d, schemeNames([tier], 'zh-CN'), 'zh-CN'), '客户等级 策略第 2 版');
    assert.equal(decidedLine(d, schemeNames([tier], 'en'), 'en'), 'Customer tier policy version 2');
    assert.equal(
      decidedLine({ ...d, key: 'override:ovr_1', item: base }, schemeNames([tier], 'zh-CN'), 'zh-CN'),
      '客户等级: 金卡 → 钻石卡（不低于该等级）',
    );
  });

  it('a re-evaluation that found no data says why none moved, and counts are grouped', () => {
    assert.match(
      APPROVALS_WORDS['zh-CN'].reevaluatedNoData('2026-12'),
      /2026-12 还没有已评定的客户（该月数据尚未导入或尚未重评）.*每月排程/,
    );
    assert.match(
      APPROVALS_WORDS.en.reevaluatedNoData('2026-12'),
      /evaluated for 2026-12 yet \(its data is not loaded, or not re-tiered\).*monthly schedule/,
    );
    assert.equal(APPROVALS_WORDS['zh-CN'].reevaluated(6104, 28), '已立即按新策略重评 6,104 位客户，28 位等级变化。');
    assert.match(POLICY_WORDS.en.moved(6104), /of 6,104 simulated/);
  });

  it('a provisioned version is in force from the start; a draft or one waiting has no day yet', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = POLICY_WORDS[locale];
      assert.equal(effectiveDay({ status: 'superseded', effectiveFrom: null }, w), w.fromStart);
      assert.equal(effectiveDay({ status: 'active', effectiveFrom: null }, w), w.fromStart);
      assert.equal(effectiveDay({ status: 'draft', effectiveFrom: null }, w), '—');
      assert.equal(effectiveDay({ status: 'submitted', effectiveFrom: null }, w), '—');
      assert.equal(effectiveDay({ status: 'active', effectiveFrom: '2026-12-01' }, w), '2026-12-01');
    }
    assert.equal(POLICY_WORDS['zh-CN'].fromStart, '自始生效');
  });
});
