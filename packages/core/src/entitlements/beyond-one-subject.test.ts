import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSuitability,
  compilePack,
  defaultPolicyPack,
  diffPolicies,
  resolveEntitlements,
  simulate,
  toleranceFromScore,
} from '../index.js';
import type { Policy, SimulationSubject } from '../index.js';

const pack = compilePack(defaultPolicyPack);
const retail = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier')!;

describe('entitlements', () => {
  it('a platinum customer has a lounge quota with its usage, and sees what diamond adds', () => {
    const { entitlements, next } = resolveEntitlements(
      defaultPolicyPack,
      { 'retail-tier': 'platinum', 'aml-risk': 'low' },
      { lounge_visits: 2 },
    );
    const lounge = entitlements.find((e) => e.def.key === 'lounge');
    assert.equal(lounge?.def.kind === 'quota' && lounge.def.amount, 6);
    assert.equal(lounge?.used, 2);
    assert.deepEqual(lounge?.grantedBy, { scheme: 'retail-tier', level: 'platinum' });
    const diamond = next.find((n) => n.scheme === 'retail-tier');
    assert.equal(diamond?.toLevel, 'diamond');
    assert.ok(diamond?.adds.some((d) => d.key === 'lounge'));
    assert.ok(diamond?.adds.some((d) => d.key === 'exclusive-wealth-products'));
    assert.ok(!diamond?.adds.some((d) => d.key === 'priority-lane'), 'already has it');
  });

  it('two schemes restricting under the same key each block what they name', () => {
    // A bank's sanctions screening reuses the AML restriction's key but also stops the lounge.
    const screening = {
      ...defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk')!,
      key: 'screening',
      entitlements: {
        high: [
          {
            kind: 'restriction' as const,
            key: 'enhanced-due-diligence',
            label: { 'zh-CN': '制裁筛查命中', 'zh-TW': '制裁篩查命中', en: 'sanctions screening hit' },
            reason: { 'zh-CN': '制裁筛查', 'zh-TW': '制裁篩查', en: 'sanctions screening' },
            blocks: ['lounge'],
          },
        ],
      },
    };
    const withScreening = { ...defaultPolicyPack, schemes: [...defaultPolicyPack.schemes, screening] };
    const { entitlements } = resolveEntitlements(withScreening, { 'retail-tier': 'platinum', 'aml-risk': 'high', screening: 'high' });
    const status = (k: string) => entitlements.find((e) => e.def.key === k);
    assert.equal(status('priority-lane')?.status, 'blocked');
    assert.equal(status('lounge')?.status, 'blocked', 'the second scheme’s block holds');
    assert.deepEqual(status('lounge')?.blockedBy, { scheme: 'screening', level: 'high', restriction: 'enhanced-due-diligence' });
    assert.equal(entitlements.filter((e) => e.def.key === 'enhanced-due-diligence').length, 1, 'one restriction listed per key');
  });

  it('an AML 高 restriction blocks the priority lane a gold card grants, and says who blocked it', () => {
    const { entitlements } = resolveEntitlements(defaultPolicyPack, { 'retail-tier': 'gold', 'aml-risk': 'high' });
    const lane = entitlements.find((e) => e.def.key === 'priority-lane');
    assert.equal(lane?.status, 'blocked');
    assert.deepEqual(lane?.blockedBy, { scheme: 'aml-risk', level: 'high', restriction: 'enhanced-due-diligence' });
    assert.equal(entitlements.find((e) => e.def.key === 'deposit-rate')?.status, 'active');
    assert.equal(entitlements.find((e) => e.def.key === 'enhanced-due-diligence')?.status, 'active');
  });

  it('credit terms differ by rating: BB needs collateral, AAA gets a lower rate', () => {
    const bb = resolveEntitlements(defaultPolicyPack, { 'credit-rating': 'BB' }).entitlements;
    assert.ok(bb.some((e) => e.def.key === 'collateral-required'));
    const aaa = resolveEntitlements(defaultPolicyPack, { 'credit-rating': 'AAA' }).entitlements;
    const rate = aaa.find((e) => e.def.key === 'loan-rate')?.def;
    assert.equal(rate?.kind === 'rate' && rate.bp, -50);
  });
});

describe('simulation and policy diff', () => {
  const draftPolicy: Policy = JSON.parse(JSON.stringify(retail.policy).replace('5000000', '6000000'));
  draftPolicy.version = 2;
  const draftPack = compilePack({ ...defaultPolicyPack, schemes: [{ ...retail, policy: draftPolicy }] });

  it('streams a population through a draft and returns the migration matrix with samples', async () => {
    async function* population(): AsyncGenerator<SimulationSubject> {
      for (let i = 0; i < 1000; i++) {
        const b = i * 10_000;
        yield { id: `c${i}`, facts: { asOf: '2024-06', values: { avg_daily_balance: { '2024-06': b, '2024-05': b, '2024-04': b } } } };
      }
    }
    const r = await simulate(draftPack.scheme('retail-tier')!, population(), { baseline: pack.scheme('retail-tier')!, samplesPerCell: 2 });
    assert.equal(r.total, 1000);
    const moved = r.cells.find((c) => c.from === 'gold' && c.to === 'standard');
    assert.equal(moved?.count, 100); // ¥50,000–¥59,999.99 fall back to standard
    assert.deepEqual(moved?.samples, ['c500', 'c501']);
    assert.equal(r.downgraded, 100);
  });

  it('says what changed in words an approver can read', () => {
    const changes = diffPolicies(retail.policy, draftPolicy, retail, defaultPolicyPack.metrics);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.change, 'changed');
    assert.match(changes[0]!.text.en, /Gold: monthly average daily balance .* ≥ CN¥50,000 → .*≥ CN¥60,000/);
    assert.match(changes[0]!.text['zh-CN'], /金卡/);
  });
});

describe('suitability (docs/domain.md §2) and corporate size (§7)', () => {
  it('maps questionnaire scores to C levels at the boundaries', () => {
    assert.deepEqual([20, 21, 45, 46, 70, 71, 85, 86].map(toleranceFromScore), ['C1', 'C2', 'C2', 'C3', 'C3', 'C4', 'C4', 'C5']);
  });
  it('refuses R4 to a C2 customer, an expired assessment, and flags age 65+', () => {
    const base = { assessedAt: '2024-01-10T00:00:00Z', at: '2024-06-01T00:00:00Z' };
    assert.equal(checkSuitability({ ...base, product: 'R2', tolerance: 'C2' }).suitable, true);
    const r = checkSuitability({ ...base, product: 'R4', tolerance: 'C2', age: 66 });
    assert.equal(r.suitable, false);
    assert.deepEqual(
      r.reasons.map((x) => x.code),
      ['risk-above-tolerance', 'age-65-plus'],
    );
    assert.equal(
      checkSuitability({ ...base, at: '2025-01-10T00:00:00Z', product: 'R1', tolerance: 'C5' }).reasons[0]?.code,
      'assessment-expired',
    );
  });
  it('sizes a wholesale firm by the 工信部 table, on both sides of each bound', () => {
    const size = pack.scheme('corporate-size')!;
    const firm = (staff: number, revenueWan: number) =>
      size.decide({
        asOf: '2024-06',
        values: {
          industry_code: { '2020-01': 2 },
          employees: { '2024-01': staff },
          annual_revenue: { '2024-01': revenueWan * 10_000 * 100 },
        },
      });
    assert.equal(firm(200, 40000), 'large');
    assert.equal(firm(199, 40000), 'medium');
    assert.equal(firm(20, 5000), 'medium');
    assert.equal(firm(20, 4999), 'small');
    assert.equal(firm(5, 1000), 'small');
    assert.equal(firm(4, 1000), 'micro');
  });
  it('a firm of an industry the table does not cover, or with none recorded, is unclassified, not micro', () => {
    const size = pack.scheme('corporate-size')!;
    const firm = (industry: Record<string, number> | undefined) =>
      size.decide({
        asOf: '2024-06',
        values: {
          ...(industry ? { industry_code: industry } : {}),
          employees: { '2024-01': 5_000 },
          annual_revenue: { '2024-01': 900_000 * 10_000 * 100 },
        },
      });
    assert.equal(firm({ '2020-01': 7 }), 'unclassified', 'a 5,000-staff firm of an industry not in the table');
    assert.equal(firm(undefined), 'unclassified');
    assert.equal(firm({ '2020-01': 1 }), 'large');
  });
});
