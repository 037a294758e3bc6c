import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePack, defaultPolicyPack, nextPrior, progressSentence } from '../index.js';
import type { PriorAssignment, SubjectFacts } from '../index.js';

const pack = compilePack(defaultPolicyPack);
const tier = pack.scheme('retail-tier')!;

/** A customer with the same monthly average daily balance (fen) in each of the last 6 months. */
function customer(balanceFen: number, extra: Record<string, Record<string, number>> = {}, asOf = '2024-06'): SubjectFacts {
  const months = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
  return { asOf, values: { avg_daily_balance: Object.fromEntries(months.map((m) => [m, balanceFen])), ...extra } };
}

describe('retail card tiers (docs/domain.md §1, PSBC)', () => {
  it('puts ¥49,999.99 at standard and ¥50,000.00 at gold', () => {
    assert.equal(tier.decide(customer(4_999_999)), 'standard');
    assert.equal(tier.decide(customer(5_000_000)), 'gold');
  });

  it('puts each balance boundary on the right side, in fen', () => {
    assert.equal(tier.decide(customer(29_999_999)), 'gold');
    assert.equal(tier.decide(customer(30_000_000)), 'platinum');
    assert.equal(tier.decide(customer(149_999_999)), 'platinum');
    assert.equal(tier.decide(customer(150_000_000)), 'diamond');
  });

  it('reaches gold by household income alone, and by a premium card alone', () => {
    const income = (fen: number) => customer(0, { household_income: { '2024-03': fen } });
    assert.equal(tier.decide(income(19_999_999)), 'standard');
    assert.equal(tier.decide(income(20_000_000)), 'gold');
    assert.equal(tier.decide(income(80_000_000)), 'platinum');
    assert.equal(tier.decide(income(300_000_000)), 'diamond');
    assert.equal(tier.decide(customer(0, { premium_card: { '2023-11': 1 } })), 'gold');
    assert.equal(tier.decide(customer(0, { premium_card: { '2023-11': 1, '2024-05': 0 } })), 'standard');
  });

  it('averages the last 3 months and counts a missing month as zero', () => {
    const facts: SubjectFacts = { asOf: '2024-06', values: { avg_daily_balance: { '2024-06': 7_500_000, '2024-05': 7_500_000 } } };
    assert.equal(tier.decide(facts), 'gold'); // (75,000 + 75,000 + 0) / 3 = 50,000
    const e = tier.evaluate({ asOf: '2024-06', values: { avg_daily_balance: { '2024-06': 7_499_999, '2024-05': 7_500_000 } } });
    assert.equal(e.level, 'standard');
    assert.equal(e.explanation.inputs[0]?.value, 4_999_999);
  });

  it('ignores an income declaration older than 12 months', () => {
    assert.equal(tier.decide(customer(0, { household_income: { '2023-06': 90_000_000 } })), 'standard');
    assert.equal(tier.decide(customer(0, { household_income: { '2023-07': 90_000_000 } })), 'platinum');
  });

  it('explains which route decided, with the inputs used and the policy version', () => {
    const e = tier.evaluate(customer(0, { household_income: { '2024-01': 25_000_000 } }));
    assert.equal(e.level, 'gold');
    assert.equal(e.explanation.decidedBy.id, 'gold.income');
    assert.equal(e.explanation.policyVersion, 1);
    assert.ok(e.explanation.inputs.some((i) => i.metric === 'household_income' && i.value === 25_000_000));
    assert.equal(tier.replay(e.explanation), 'gold');
  });

  it('shows a ¥288,000 customer the nearest path: ¥12,000 more balance to platinum', () => {
    const e = tier.evaluate(customer(28_800_000));
    assert.equal(e.level, 'gold');
    assert.equal(e.progress?.toLevel, 'platinum');
    const nearest = e.progress?.paths[e.progress.nearest];
    assert.equal(nearest?.metric, 'avg_daily_balance');
    assert.equal(nearest?.gap, 1_200_000);
    // The one progress sentence the badge shows too (core's progressSentence).
    const label = defaultPolicyPack.metrics.find((m) => m.key === 'avg_daily_balance')!.label;
    const platinum = tier.summary.levels.find((l) => l.key === 'platinum')!.name;
    assert.equal(progressSentence(nearest!, label.en, platinum.en, 'en'), 'CN¥12,000 more monthly average daily balance to reach Platinum');
    assert.equal(progressSentence(nearest!, label['zh-CN'], platinum['zh-CN'], 'zh-CN'), '再增加 ¥12,000 月日均资产即可升级白金卡');
  });

  it('tells a customer the balance to add, not the declared income to earn, though income is relatively nearer', () => {
    // The demo's C000006: ¥561.57 balance (¥49,438.43 short of gold, 98.9% of the line) and ¥89,730.74
    // declared income (¥110,269.26 short, 55.1%). Income is in the paths; the sentence names the balance.
    const e = tier.evaluate(customer(56_157, { household_income: { '2024-02': 8_973_074 } }));
    assert.equal(e.progress?.toLevel, 'gold');
    assert.deepEqual(
      e.progress?.paths.map((p) => [p.metric, p.gap]),
      [
        ['avg_daily_balance', 4_943_843],
        ['household_income', 11_026_926],
        ['premium_card', 1],
      ],
    );
    const nearest = e.progress?.paths[e.progress.nearest];
    assert.equal(nearest?.metric, 'avg_daily_balance');
    assert.equal(nearest?.gap, 4_943_843);
  });

  it('falls back to the relatively nearest path when no path is on a metric the customer can move', () => {
    const allDeclared = compilePack({ ...defaultPolicyPack, metrics: defaultPolicyPack.metrics.map((m) => ({ ...m, actionable: false })) });
    const e = allDeclared.scheme('retail-tier')!.evaluate(customer(56_157, { household_income: { '2024-02': 8_973_074 } }));
    assert.equal(e.progress?.paths[e.progress.nearest]?.metric, 'household_income');
  });

  it('has no progress at the top level', () => {
    assert.equal(tier.evaluate(customer(200_000_000)).progress, null);
  });

  it('upgrades at once and downgrades only after 3 consecutive months below', () => {
    let prior: PriorAssignment | undefined = { level: 'standard', periodsBelow: 0, period: '2024-05' };
    const up = tier.evaluate(customer(30_000_000), prior);
    assert.equal(up.level, 'platinum');
    assert.equal(up.changed, true);
    prior = nextPrior(up, '2024-06');
    const seen: string[] = [];
    for (const asOf of ['2024-07', '2024-08', '2024-09']) {
      const e = tier.evaluate(customer(100_000, {}, asOf), prior);
      seen.push(`${e.level}:${e.retention?.periodsBelow ?? 0}`);
      prior = nextPrior(e, asOf);
    }
    assert.deepEqual(seen, ['platinum:1', 'platinum:2', 'standard:0']);
  });

  it('does not count the same month twice when a batch is re-run', () => {
    const prior: PriorAssignment = { level: 'gold', periodsBelow: 2, period: '2024-06' };
    assert.equal(tier.evaluate(customer(0), prior).level, 'gold');
    assert.equal(tier.evaluate(customer(0), { ...prior, period: '2024-05' }).level, 'standard');
  });
});
