import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { audienceView, defaultPolicyPack, type CustomerAssignment, type ProgressPath, type TierEvent } from '../index.js';
import { customerDrop, customerKeep } from './customer-keep.js';

const retail = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier');
const balance: ProgressPath = {
  metric: 'avg_daily_balance',
  window: { fn: 'avg', months: 3, missing: 'zero' },
  unit: 'money',
  currency: 'CNY',
  current: 4_333_333,
  required: 5_000_000,
  gap: 666_667,
};
const drop: TierEvent = {
  id: 'e1',
  scheme: 'retail-tier',
  from: 'gold',
  to: 'standard',
  at: '2025-10-03T01:00:00Z',
  reason: 'rule',
  ruleId: 'standard',
  note: '客户经理备注',
  actor: 'system',
  approvedBy: null,
  policyVersion: 1,
  period: '2025-09',
};

describe('what a customer reads of keeping and losing a level', () => {
  it('no grace, no keep: a level at or above its line, or with no line the customer may read', () => {
    const retention = { toLevel: 'standard', lines: [balance], periodsBelow: 0, periodsAllowed: 3 };
    assert.equal(customerKeep(retention, '2025-07', defaultPolicyPack.metrics), null);
    assert.equal(customerKeep({ ...retention, periodsBelow: 1, lines: [] }, '2025-07', defaultPolicyPack.metrics), null);
    assert.equal(customerKeep(null, '2025-07', defaultPolicyPack.metrics), null);
  });

  it('the last month of grace says one month left; the review after December reads January', () => {
    const keep = customerKeep(
      { toLevel: 'standard', lines: [balance], periodsBelow: 2, periodsAllowed: 3 },
      '2025-12',
      defaultPolicyPack.metrics,
    );
    assert.equal(keep?.periodsLeft, 1);
    assert.equal(keep?.nextReview, '2026-01');
    assert.equal(
      keep?.text.en,
      'Grace period: keep monthly average daily balance (average of the last 3 months) at or above CN¥50,000, 1 month left',
    );
  });

  it('quotes a yes-or-no criterion as each region writes: “” in Simplified, 「」 in Traditional', () => {
    const card: ProgressPath = { metric: 'premium_card', window: null, unit: 'boolean', current: 0, required: 1, gap: 1 };
    const keep = customerKeep(
      { toLevel: 'standard', lines: [card], periodsBelow: 1, periodsAllowed: 3 },
      '2025-07',
      defaultPolicyPack.metrics,
    );
    assert.ok(keep, 'in grace');
    assert.match(keep.text['zh-CN'], /满足“[^”]+”/);
    assert.doesNotMatch(keep.text['zh-CN'], /[「」]/);
    assert.match(keep.text['zh-TW'], /滿足「[^」]+」/);
    assert.match(keep.text.en, /meet “[^”]+”/);
  });

  it('a level under an override has no grace to keep it in', () => {
    const view = audienceView(defaultPolicyPack, 'customer');
    const base = {
      scheme: 'retail-tier',
      level: 'gold',
      rank: 1,
      previousLevel: 'gold',
      changed: false,
      approvalRequired: false,
      explanation: {
        policyId: 'retail-tier',
        policyVersion: 1,
        decidedBy: { kind: 'override', id: 'o1', label: { 'zh-CN': '', 'zh-TW': '', en: '' } },
        inputs: [],
      },
      progress: null,
      retention: { toLevel: 'standard', lines: [balance], periodsBelow: 1, periodsAllowed: 3 },
      schemeInfo: { key: 'retail-tier' } as never,
      period: '2025-07',
      evaluatedAt: '2025-08-01T00:00:00Z',
    } as const;
    const held = view.assignment({
      ...base,
      override: {
        id: 'o1',
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'fixed',
        reason: 'VIP',
        expiresAt: null,
        requestedBy: 'E1',
        approvedBy: 'E2',
      },
    });
    assert.equal('keep' in held, false);
    assert.ok(
      (view.assignment({ ...base, override: null }) as CustomerAssignment).keep,
      'without the override the same assignment is in grace',
    );
  });

  it('a drop decided under another policy version names the level and months, never an amount it was not measured against', () => {
    assert.ok(retail);
    const other = customerDrop(retail, 'gold', 7, defaultPolicyPack.metrics, () => true);
    assert.deepEqual(other.lines, []);
    assert.equal(other.text['zh-CN'], '连续3个月未达到金卡标准');
    assert.equal(other.text.en, 'Below the Gold criteria for 3 months in a row');
  });

  it('only the rules lowering a level get a reason: not an upgrade, an override or its expiry; staff read the event whole, with the same reason', () => {
    const customer = audienceView(defaultPolicyPack, 'customer');
    assert.ok(customer.event(drop).because);
    assert.equal(customer.event({ ...drop, from: 'standard', to: 'gold' }).because, undefined);
    assert.equal(customer.event({ ...drop, reason: 'override' }).because, undefined);
    assert.equal(customer.event({ ...drop, reason: 'override-expired' }).because, undefined);
    assert.equal(JSON.stringify(customer.event(drop)).includes('客户经理备注'), false);
    // Staff read the event whole and, since an RM must be able to tell the customer why, the same reason.
    const staff = audienceView(defaultPolicyPack, 'staff');
    assert.deepEqual(staff.event(drop).because, customer.event(drop).because);
    assert.equal(JSON.stringify(staff.event(drop)).includes('客户经理备注'), true);
    assert.equal(staff.event({ ...drop, reason: 'override' }).because, undefined);
  });
});

describe('a level a trigger forced down', () => {
  it('gets no reason: the trigger skipped the grace period, so "below for 3 months" would be false', () => {
    assert.ok(retail?.policy.kind === 'rules');
    const dormant = {
      id: 'dormant',
      level: 'standard',
      when: { kind: 'threshold', id: 'dormant.balance', metric: 'avg_daily_balance', window: null, op: 'lt', value: 1 },
      label: { 'zh-CN': '账户休眠', 'zh-TW': '帳戶休眠', en: 'dormant account' },
    } as const;
    const pack = {
      ...defaultPolicyPack,
      schemes: defaultPolicyPack.schemes.map((s) => (s === retail ? { ...s, policy: { ...s.policy, triggers: [dormant] } } : s)),
    } as typeof defaultPolicyPack;
    const customer = audienceView(pack, 'customer');
    assert.equal(customer.event({ ...drop, ruleId: 'dormant' }).because, undefined);
    assert.ok(customer.event(drop).because, 'the rules’ own drop in the same pack still says why');
  });
});

describe('a level whose criteria must all hold', () => {
  // Gold for a ¥50,000 balance *and* a premium card: holding either alone does not keep it, and a drop may
  // have failed only one, so neither sentence may list the lines as alternatives or all as missed.
  assert.ok(retail?.policy.kind === 'rules');
  const policy = retail.policy;
  const gold = policy.levels.find((l) => l.level === 'gold');
  assert.ok(gold && gold.when.kind === 'any');
  const pack = {
    ...defaultPolicyPack,
    schemes: defaultPolicyPack.schemes.map((s) =>
      s === retail
        ? {
            ...s,
            policy: {
              ...policy,
              levels: policy.levels.map((l) => (l === gold ? { ...l, when: { ...gold.when, kind: 'all' as const } } : l)),
            },
          }
        : s,
    ),
  } as typeof defaultPolicyPack;
  const customer = audienceView(pack, 'customer');

  it('keep says the months left, not "this or that keeps it"', () => {
    const a = customer.assignment({
      scheme: 'retail-tier',
      level: 'gold',
      rank: 1,
      previousLevel: 'gold',
      changed: false,
      approvalRequired: false,
      explanation: {
        policyId: 'retail-tier',
        policyVersion: 1,
        decidedBy: { kind: 'rule', id: 'gold', label: { 'zh-CN': '', 'zh-TW': '', en: '' } },
        inputs: [],
      },
      progress: null,
      retention: {
        toLevel: 'standard',
        lines: [
          balance,
          { ...balance, metric: 'premium_card', unit: 'boolean', window: null, currency: undefined, current: 0, required: 1, gap: 1 },
        ],
        periodsBelow: 2,
        periodsAllowed: 3,
      },
      schemeInfo: { key: 'retail-tier' } as never,
      period: '2025-07',
      evaluatedAt: '2025-08-01T00:00:00Z',
      override: null,
    } as never) as CustomerAssignment;
    assert.ok(a.keep, 'still in grace');
    assert.deepEqual(a.keep.lines, []);
    assert.equal(a.keep.text['zh-CN'], '保级期：剩余 1 个月');
    assert.equal(a.keep.text['zh-TW'], '保級期：剩餘 1 個月');
    assert.equal(a.keep.text.en, 'Grace period: 1 month left');
  });

  it('a drop names the level and months, not every line as missed', () => {
    const because = customer.event(drop).because;
    assert.deepEqual(because?.lines, []);
    assert.equal(because?.text['zh-CN'], '连续3个月未达到金卡标准');
  });
});
