import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  audienceView,
  compilePack,
  defaultPolicyPack,
  resolveEntitlements,
  UNAVAILABLE_NOTICE,
  CONTACT_BRANCH,
  SCORE_METRIC,
  SCORE_WITHHELD,
  UNDISCLOSED,
  ALSO_UNDISCLOSED,
} from '../index.js';
import { overrideLabel } from '../engine/labels.js';
import type { Assignment, CustomerAssignment, Evaluation, TierEvent } from '../index.js';

const pack = compilePack(defaultPolicyPack);
const months = ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];
const every = (v: number) => Object.fromEntries(months.map((m) => [m, v]));

/** A platinum customer with AML scores of 80 (高), a credit score of 60 and a loan 120 days past due. */
const evaluations = pack.evaluateSubject('customer', {
  asOf: '2025-10',
  values: {
    avg_daily_balance: every(40_000_000),
    transaction_count: every(20),
    card_spend: every(500_000),
    credit_score: every(60),
    loan_days_past_due: { '2025-10': 120 },
    ...Object.fromEntries(['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk'].map((k) => [k, every(80)])),
  },
});
function assignment(scheme: string): Assignment {
  const e = evaluations.find((x) => x.scheme === scheme) as Evaluation;
  const def = defaultPolicyPack.schemes.find((s) => s.key === scheme)!;
  return {
    ...e,
    schemeInfo: def,
    period: '2025-10',
    evaluatedAt: '2025-11-01T00:00:00.000Z',
    override: {
      id: 'ov1',
      scheme,
      level: e.level,
      mode: 'floor',
      reason: 'AML hold agreed with compliance',
      expiresAt: null,
      requestedBy: 'key:rm7',
      approvedBy: 'key:head',
    },
  };
}
const levels = Object.fromEntries(evaluations.map((e) => [e.scheme, e.level]));
const customer = audienceView(defaultPolicyPack, 'customer');
const staff = audienceView(defaultPolicyPack, 'staff');

describe('what a customer may see of a pack', () => {
  it('only the customer schemes exist for a customer; staff see every scheme, untouched', () => {
    assert.deepEqual(
      customer.schemes.map((s) => s.key),
      ['retail-tier', 'star-rating', 'savings-grade'],
    );
    assert.equal(customer.sees('aml-risk'), false);
    assert.equal(customer.sees('retail-tier'), true);
    assert.equal(staff.schemes.length, defaultPolicyPack.schemes.length);
    const a = assignment('star-rating');
    assert.equal(staff.assignment(a), a);
  });

  it('a star rating keeps its level but loses the credit input, every factor’s points and the total', () => {
    const a = customer.assignment(assignment('star-rating'));
    assert.equal(a.level, levels['star-rating']);
    assert.ok(!a.explanation.inputs.some((i) => i.metric === 'credit_score'));
    assert.ok(a.explanation.inputs.some((i) => i.metric === 'avg_daily_balance'));
    assert.equal(a.explanation.score, undefined);
    assert.deepEqual(a.explanation.decidedBy, { kind: 'band', label: SCORE_WITHHELD });
    // The examiner's minor: three of four inputs listed as if they were all. Told that more counts, never what.
    assert.match(SCORE_WITHHELD['zh-CN'], /本行不公开的其他因素/);
    assert.match(SCORE_WITHHELD['zh-TW'], /本行不公開的其他因素/);
    assert.match(SCORE_WITHHELD.en, /other factors the bank does not disclose/);
    assert.doesNotMatch(JSON.stringify(a.explanation), /信用|credit/i);
  });

  it('nothing a customer sees of a star rating gives the credit score away: total, progress and retention lines', () => {
    // The default pack's weights are public: with the total, the customer's own transactions, card
    // spending and balance (all shown) give the credit factor's points, hence the credit score, by subtraction.
    const stars = pack.scheme('star-rating')!;
    const values = { avg_daily_balance: every(40_000_000), transaction_count: every(20), card_spend: every(500_000) };
    const prior = { level: 'star-4', periodsBelow: 0, period: '2025-09' };
    for (const credit of [40, 55, 61, 82, 90]) {
      const e = stars.evaluate({ asOf: '2025-10', values: { ...values, credit_score: every(credit) } }, prior);
      const seen: Assignment | CustomerAssignment = customer.assignment({
        ...e,
        schemeInfo: stars.definition,
        period: '2025-10',
        evaluatedAt: '2025-11-01T00:00:00.000Z',
        override: null,
      });
      // The level and the scheme (its names) are the customer's; what decided and how far to go is checked.
      const text = JSON.stringify({ explanation: seen.explanation, progress: seen.progress, retention: seen.retention });
      for (const n of [String(credit), String(e.explanation.score?.total)]) {
        assert.ok(!new RegExp(`(?<![\\d.])${n.replace('.', '\\.')}(?![\\d.])`).test(text), `${n} (credit ${credit}): ${text}`);
      }
      assert.ok(!seen.progress?.paths.some((p) => p.metric === SCORE_METRIC), 'no score gap');
      assert.ok(!seen.retention?.lines.some((p) => p.metric === SCORE_METRIC), 'no score line');
    }
  });

  it('a score with no staff factor (the savings grade) keeps its total, points and score lines', () => {
    const e = pack.scheme('savings-grade')!.evaluate({ asOf: '2025-10', values: { avg_daily_balance: every(10_000_000) } });
    const a = customer.assignment({
      ...e,
      schemeInfo: pack.scheme('savings-grade')!.definition,
      period: '2025-10',
      evaluatedAt: '',
      override: null,
    });
    assert.deepEqual(a.explanation.score, e.explanation.score);
    assert.ok(a.progress?.paths.some((p) => p.metric === SCORE_METRIC));
    // Its bad-loan trigger reads a staff metric: the band's words say that more counts than they list.
    const band = e.explanation.decidedBy.label;
    assert.equal(a.explanation.decidedBy.label['zh-CN'], `${band['zh-CN']}；${ALSO_UNDISCLOSED['zh-CN']}`);
    assert.match(a.explanation.decidedBy.label.en, /other factors the bank does not disclose also count$/);
  });

  it('a savings grade forced to 风险 by a bad loan reads 基础 in a neutral tone, "rated by the bank", not why', () => {
    const raw = assignment('savings-grade');
    assert.equal(raw.explanation.decidedBy.id, 'bad-loan');
    const a = customer.assignment(raw);
    assert.equal(a.level, 'risk');
    // Not "contact your branch" either: beside a lowered grade it says something is wrong, a reason implied.
    assert.deepEqual(a.explanation.decidedBy, { kind: 'trigger', label: UNDISCLOSED });
    const level = customer.schemes.find((s) => s.key === 'savings-grade')?.levels.find((l) => l.key === 'risk');
    // Not at rank 0, the bottom of the scale: beside 普通, at its rank (customerLevels).
    assert.deepEqual(level, { key: 'risk', rank: 1, name: { 'zh-CN': '基础', 'zh-TW': '基礎', en: 'Basic' }, color: 'neutral' });
    assert.equal(a.rank, 1);
    const staffLevel = staff.schemes.find((s) => s.key === 'savings-grade')?.levels.find((l) => l.key === 'risk');
    assert.equal(staffLevel?.name['zh-CN'], '风险', 'staff keep the classification');
    assert.equal(staffLevel?.color, 'danger');
    assert.ok(!a.explanation.inputs.some((i) => i.metric === 'loan_days_past_due'));
  });

  it('an explanation keeps its words, not the policy id, version or the rule id that decided', () => {
    const raw = assignment('retail-tier');
    const a = customer.assignment(raw);
    assert.ok(!('policyId' in a.explanation) && !('policyVersion' in a.explanation), JSON.stringify(a.explanation));
    assert.deepEqual(a.explanation.decidedBy, { kind: raw.explanation.decidedBy.kind, label: raw.explanation.decidedBy.label });
    assert.equal(a.explanation.asOf, raw.explanation.asOf);
    assert.deepEqual(a.explanation.inputs, raw.explanation.inputs, 'the card tier reads no staff metric');
    assert.deepEqual(staff.assignment(raw), raw, 'staff read it whole');
  });

  it('an override shows its level, mode and expiry, never its id, who asked or why', () => {
    const raw = assignment('retail-tier');
    const o = customer.assignment(raw).override;
    // Absent, not blanked: the request's id, reason, requester and approver are the bank's record.
    assert.deepEqual(o, { scheme: 'retail-tier', level: raw.override?.level, mode: 'floor', expiresAt: raw.override?.expiresAt });
    assert.deepEqual(staff.assignment(raw).override, raw.override, 'staff read it whole');
  });

  it('an override’s id does not come back through the explanation', () => {
    const raw = assignment('retail-tier');
    const overridden: Assignment = {
      ...raw,
      explanation: { ...raw.explanation, override: { id: 'ov1', level: 'platinum', mode: 'floor' } },
    };
    assert.deepEqual(customer.assignment(overridden).explanation.override, { level: 'platinum', mode: 'floor' });
    const cut = customer.assignments([overridden]);
    assert.equal(cut.audience, 'customer');
    assert.ok(!JSON.stringify(cut).includes('ov1'), JSON.stringify(cut));
    assert.deepEqual(staff.assignments([overridden]), { audience: 'staff', assignments: [overridden] });
  });

  it('an override’s reason does not come back through the label of the explanation', () => {
    const raw = assignment('retail-tier');
    const overridden: Assignment = {
      ...raw,
      explanation: { ...raw.explanation, decidedBy: { kind: 'override', id: 'ov1', label: overrideLabel(raw.override!) } },
    };
    const a = customer.assignment(overridden);
    assert.ok(!JSON.stringify(a).includes('AML hold'), JSON.stringify(a.explanation.decidedBy));
    assert.deepEqual(a.explanation.decidedBy, { kind: 'override', label: CONTACT_BRANCH });
    assert.equal(
      staff.assignment(overridden).explanation.decidedBy.label.en,
      'manual override (never below this level): AML hold agreed with compliance',
    );
  });

  it('benefits an AML restriction blocks are left out for a customer, as if not included; staff see the block', () => {
    const all = resolveEntitlements(defaultPolicyPack, levels);
    const lane = staff.entitlements(all).entitlements.find((e) => e.def.key === 'priority-lane');
    assert.equal(lane?.blockedBy?.scheme, 'aml-risk');
    assert.equal(lane?.status, 'blocked');
    const seen = customer.entitlements(all);
    // A "contact your branch" that only AML-restricted customers get would tell them their AML grade.
    assert.equal(
      seen.entitlements.find((e) => e.def.key === 'priority-lane'),
      undefined,
    );
    assert.ok(seen.entitlements.every((e) => e.status !== 'blocked' && e.notice === undefined));
    assert.ok(seen.entitlements.length > 0, 'the benefits no staff scheme blocks stay');
  });

  it('a staff scheme that opts in (customerBlocks: notice) shows its blocks as unavailable, never why', () => {
    const all = resolveEntitlements(defaultPolicyPack, levels);
    const noticePack = {
      ...defaultPolicyPack,
      schemes: defaultPolicyPack.schemes.map((s) => (s.key === 'aml-risk' ? { ...s, customerBlocks: 'notice' as const } : s)),
    };
    const seen = audienceView(noticePack, 'customer').entitlements(all);
    const blocked = seen.entitlements.find((e) => e.def.key === 'priority-lane');
    assert.equal(blocked?.status, 'blocked');
    assert.equal(blocked?.blockedBy, undefined);
    assert.deepEqual(blocked?.notice, UNAVAILABLE_NOTICE);
    assert.deepEqual(audienceView(noticePack, 'staff').entitlements(all), staff.entitlements(all), 'staff unchanged');
  });

  it('a customer sees no staff restriction or credit term', () => {
    const all = resolveEntitlements(defaultPolicyPack, levels);
    const seen = customer.entitlements(all);
    assert.ok(seen.entitlements.every((e) => ['retail-tier', 'star-rating', 'savings-grade'].includes(e.grantedBy.scheme)));
    assert.ok(!seen.entitlements.some((e) => e.def.kind === 'restriction'));
    assert.ok(seen.next.every((n) => n.scheme !== 'credit-rating'));
    assert.ok(
      all.next.some((n) => n.scheme === 'credit-rating'),
      'staff do see what the next credit grade adds',
    );
  });

  it('a customer\'s history entry keeps when, which scheme, the move and its month, nothing of how or by whom; a hidden rule reads "rated by the bank"', () => {
    const event: TierEvent = {
      id: 'e1',
      scheme: 'savings-grade',
      from: 'good',
      to: 'risk',
      at: '2025-11-03T02:00:00.000Z',
      period: '2025-10',
      reason: 'rule',
      ruleId: 'bad-loan',
      note: 'evaluated 2025-10',
      actor: 'system',
      approvedBy: 'key:head',
      policyVersion: 2,
    };
    const move = { id: 'e1', from: 'good', to: 'risk', at: '2025-11-03T02:00:00.000Z', period: '2025-10' };
    assert.deepEqual(customer.event(event), { ...move, scheme: 'savings-grade', notice: UNDISCLOSED });
    assert.deepEqual(staff.event(event), event, 'staff read the event whole');
    const own = customer.event({ ...event, scheme: 'retail-tier', ruleId: 'gold.balance' });
    assert.deepEqual(
      own,
      { ...move, scheme: 'retail-tier' },
      'a rule of the customer’s own: no notice, and no rule id, reason or policy version',
    );
    const byStaff = { ...event, scheme: 'retail-tier', reason: 'override' as const, ruleId: 'ov1', actor: 'key:rm7' };
    assert.deepEqual(customer.event(byStaff), { ...move, scheme: 'retail-tier' }, 'who changed it, and why, is the bank’s internal record');
    assert.equal(staff.event(byStaff).actor, 'key:rm7');
    for (const reason of ['initial', 'policy-change'] as const) {
      assert.deepEqual(
        customer.event({ ...event, scheme: 'retail-tier', reason }),
        { ...move, scheme: 'retail-tier', reason },
        `${reason} is told`,
      );
    }
    for (const reason of ['rule', 'override', 'override-expired'] as const) {
      assert.ok(!('reason' in customer.event({ ...event, scheme: 'retail-tier', reason })), `${reason} is the bank's`);
    }
    const { period: _none, ...unperiodic } = event;
    assert.ok(!('period' in customer.event({ ...unperiodic, scheme: 'retail-tier' })), 'no period key is invented');
  });
});

describe('a customer reads a staff judgement neither by its name nor by its place on the scale', () => {
  const savings = customer.schemes.find((s) => s.key === 'savings-grade');
  it('the savings grade’s 基础 stands beside 普通, listed after it, at its rank; staff keep 风险 at the bottom', () => {
    assert.deepEqual(
      savings?.levels.map((l) => [l.key, l.rank]),
      [
        ['ordinary', 1],
        ['risk', 1],
        ['good', 2],
        ['premium', 3],
      ],
    );
    assert.deepEqual(
      staff.schemes.find((s) => s.key === 'savings-grade')?.levels.map((l) => [l.key, l.rank]),
      [
        ['risk', 0],
        ['ordinary', 1],
        ['good', 2],
        ['premium', 3],
      ],
    );
  });
  it('card tiers and stars keep their order, which a badge’s progress and the next level’s benefits need', () => {
    for (const key of ['retail-tier', 'star-rating']) {
      const def = defaultPolicyPack.schemes.find((s) => s.key === key);
      assert.deepEqual(
        customer.schemes.find((s) => s.key === key)?.levels.map((l) => [l.key, l.rank]),
        def?.levels.map((l) => [l.key, l.rank]),
      );
    }
  });
});

describe('a derived customer level says what it read by the customer’s names', () => {
  // A bank's own customer scheme read from the savings grade: its label would name 风险.
  const derived = {
    ...defaultPolicyPack,
    schemes: [
      ...defaultPolicyPack.schemes,
      {
        key: 'saver-club',
        subjectKind: 'customer' as const,
        category: 'value' as const,
        audience: 'customer' as const,
        name: { 'zh-CN': '储蓄俱乐部', 'zh-TW': '儲蓄俱樂部', en: 'Saver club' },
        levels: [
          { key: 'member', rank: 0, name: { 'zh-CN': '会员', 'zh-TW': '會員', en: 'Member' }, color: 'neutral' as const },
          { key: 'star', rank: 1, name: { 'zh-CN': '明星会员', 'zh-TW': '明星會員', en: 'Star member' }, color: 'gold' as const },
        ],
        policy: {
          id: 'saver-club',
          version: 1,
          kind: 'derived' as const,
          from: 'savings-grade',
          map: { risk: 'member', ordinary: 'member', good: 'star', premium: 'star' },
        },
      },
    ],
  };
  const club = compilePack(derived)
    .evaluateSubject('customer', {
      asOf: '2025-10',
      values: { avg_daily_balance: every(40_000_000), loan_days_past_due: { '2025-10': 120 } },
    })
    .find((e) => e.scheme === 'saver-club') as Evaluation;
  const raw: Assignment = {
    ...club,
    schemeInfo: derived.schemes.at(-1)!,
    period: '2025-10',
    evaluatedAt: '2025-11-01T00:00:00.000Z',
    override: null,
  };
  it('staff read 储蓄客户等级：风险 → 会员; the customer 储蓄客户等级：基础 → 会员, in every language', () => {
    assert.equal(raw.explanation.decidedBy.label['zh-CN'], '储蓄客户等级：风险 → 会员');
    assert.deepEqual(staff.assignment(raw), raw);
    assert.deepEqual(audienceView(derived, 'customer').assignment(raw).explanation.decidedBy.label, {
      'zh-CN': '储蓄客户等级：基础 → 会员',
      'zh-TW': '儲蓄客戶等級：基礎 → 會員',
      en: 'Savings grade: Basic → Member',
    });
  });
});
