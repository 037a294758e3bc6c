import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePack, defaultPolicyPack, nextPrior, validatePolicyPack } from '../index.js';
import type { Evaluation, OverrideInfo, PolicyPack, PriorAssignment, SchemeDefinition, SubjectFacts } from '../index.js';

const t = (s: string) => ({ 'zh-CN': s, 'zh-TW': s, en: s });
const levels = ['low', 'mid', 'high'].map((key, rank) => ({ key, rank, name: t(key), color: 'neutral' as const }));

/** A one-scheme pack over metric `m` (and boolean `flag`, count `n`), validated like a real document. */
function packWith(policy: SchemeDefinition['policy'], extra: Partial<SchemeDefinition> = {}): PolicyPack {
  const pack: PolicyPack = {
    metrics: [
      { key: 'm', unit: 'count', label: t('m') },
      { key: 'flag', unit: 'boolean', label: t('flag') },
      { key: 'n', unit: 'count', label: t('n') },
    ],
    schemes: [{ key: 's', subjectKind: 'customer', category: 'value', audience: 'customer', name: t('s'), levels, policy, ...extra }],
  };
  const r = validatePolicyPack(pack);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return pack;
}
const facts = (m: Record<string, number>, extra: Record<string, Record<string, number>> = {}): SubjectFacts => ({
  asOf: '2024-06',
  values: { m, ...extra },
});
const gte = (value: number, window: { fn: 'avg' | 'min' | 'max' | 'sum' | 'last'; months: number; missing: 'zero' | 'shorten' } | null) =>
  ({ kind: 'threshold', metric: 'm', window, op: 'gte', value }) as const;
const oneRule = (window: Parameters<typeof gte>[1], value: number) =>
  compilePack(packWith({ id: 'p', version: 1, kind: 'rules', levels: [{ level: 'mid', when: gte(value, window) }] })).scheme('s')!;

describe('windowed metrics', () => {
  const months = { '2024-06': 10, '2024-05': 40, '2024-03': 100 };
  it('avg counts missing months as zero, or shortens the window', () => {
    assert.equal(oneRule({ fn: 'avg', months: 3, missing: 'zero' }, 17).decide(facts(months)), 'low'); // 50/3 = 16.67 → 16
    assert.equal(oneRule({ fn: 'avg', months: 3, missing: 'zero' }, 16).decide(facts(months)), 'mid');
    assert.equal(oneRule({ fn: 'avg', months: 3, missing: 'zero' }, 17).evaluate(facts(months)).explanation.inputs[0]?.value, 16);
    assert.equal(oneRule({ fn: 'avg', months: 3, missing: 'shorten' }, 25).decide(facts(months)), 'mid');
  });
  it('min, max, sum and last fold the window', () => {
    const value = (fn: 'min' | 'max' | 'sum' | 'last', missing: 'zero' | 'shorten') =>
      oneRule({ fn, months: 4, missing }, 1).evaluate(facts(months)).explanation.inputs[0]?.value;
    assert.equal(value('min', 'zero'), 0);
    assert.equal(value('min', 'shorten'), 10);
    assert.equal(value('max', 'zero'), 100);
    assert.equal(value('sum', 'zero'), 150);
    assert.equal(value('last', 'zero'), 10);
    assert.equal(
      oneRule({ fn: 'last', months: 4, missing: 'zero' }, 1).evaluate({ asOf: '2024-07', values: { m: months } }).explanation.inputs[0]
        ?.value,
      0,
    );
    assert.equal(
      oneRule({ fn: 'last', months: 4, missing: 'shorten' }, 1).evaluate({ asOf: '2024-07', values: { m: months } }).explanation.inputs[0]
        ?.value,
      10,
    );
  });
  it('a plain metric reads the latest observation however old', () => {
    assert.equal(oneRule(null, 100).decide({ asOf: '2024-06', values: { m: { '2019-01': 100 } } }), 'mid');
    assert.equal(oneRule(null, 100).decide({ asOf: '2018-12', values: { m: { '2019-01': 100 } } }), 'low');
  });
});

describe('nested any-of / all-of', () => {
  const s = compilePack(
    packWith({
      id: 'p',
      version: 1,
      kind: 'rules',
      levels: [
        {
          level: 'high',
          when: {
            kind: 'any',
            of: [
              { kind: 'all', id: 'both', of: [gte(50, null), { kind: 'threshold', metric: 'flag', window: null, op: 'gte', value: 1 }] },
              gte(90, null),
            ],
          },
        },
      ],
    }),
  ).scheme('s')!;
  it('needs every member of an all-of, any member of an any-of', () => {
    assert.equal(s.decide(facts({ '2024-06': 60 })), 'low');
    assert.equal(s.decide(facts({ '2024-06': 60 }, { flag: { '2024-06': 1 } })), 'high');
    assert.equal(s.decide(facts({ '2024-06': 95 })), 'high');
  });
  it('progress lists what is missing on each route and picks the nearest', () => {
    const e = s.evaluate(facts({ '2024-06': 85 }));
    assert.equal(e.progress?.toLevel, 'high');
    assert.deepEqual(
      e.progress?.paths.map((p) => p.metric),
      ['flag', 'm'],
    ); // m ≥ 50 already holds
    const nearest = e.progress?.paths[e.progress.nearest];
    assert.equal(nearest?.metric, 'm');
    assert.equal(nearest?.required, 90);
  });
  it('prefers a route on metrics the customer can move over a relatively nearer one on a declared metric', () => {
    // any[ all[m ≥ 100, flag ≥ 1], n ≥ 100 ]: nested, so the general route search, not the flat loop.
    const policy: SchemeDefinition['policy'] = {
      id: 'p',
      version: 1,
      kind: 'rules',
      levels: [
        {
          level: 'high',
          when: {
            kind: 'any',
            of: [
              { kind: 'all', of: [gte(100, null), { kind: 'threshold', metric: 'flag', window: null, op: 'gte', value: 1 }] },
              { kind: 'threshold', metric: 'n', window: null, op: 'gte', value: 100 },
            ],
          },
        },
      ],
    };
    const nearest = (declared: readonly string[]) => {
      const base = packWith(policy);
      const pack = { ...base, metrics: base.metrics.map((m) => (declared.includes(m.key) ? { ...m, actionable: false } : m)) };
      assert.ok(validatePolicyPack(pack).ok);
      // m 95 of 100 (5% short, flag held), n 50 of 100 (50% short).
      const e = compilePack(pack)
        .scheme('s')!
        .evaluate(facts({ '2024-06': 95 }, { flag: { '2024-06': 1 }, n: { '2024-06': 50 } }));
      return e.progress?.paths[e.progress.nearest]?.metric;
    };
    assert.equal(nearest([]), 'm');
    assert.equal(nearest(['m']), 'n');
    assert.equal(nearest(['m', 'n']), 'm'); // no route the customer can move: the relatively nearest
  });

  it('rejects an actionable flag that is not a boolean', () => {
    const pack = packWith({ id: 'p', version: 1, kind: 'rules', levels: [{ level: 'mid', when: gte(1, null) }] });
    const bad = { ...pack, metrics: pack.metrics.map((m) => ({ ...m, actionable: 'yes' })) } as unknown as PolicyPack;
    assert.equal(validatePolicyPack(bad).ok, false);
  });
});

describe('weighted scores, bands and triggers', () => {
  const s = compilePack(
    packWith({
      id: 'p',
      version: 2,
      kind: 'score',
      factors: [
        { id: 'lin', metric: 'm', window: null, weight: 60, transform: { kind: 'linear', from: 0, to: 100 } },
        { id: 'bool', metric: 'flag', window: null, weight: 40, transform: { kind: 'boolean' } },
      ],
      bands: [
        { level: 'mid', min: 40 },
        { level: 'high', min: 80 },
      ],
      triggers: [
        { id: 'stop', label: t('stop'), level: 'low', when: { kind: 'threshold', metric: 'm', window: null, op: 'lt', value: 0 } },
      ],
    }),
  ).scheme('s')!;
  it('scores each factor and bands the total', () => {
    const e = s.evaluate(facts({ '2024-06': 50 }, { flag: { '2024-06': 1 } }));
    assert.equal(e.level, 'mid');
    assert.deepEqual(e.explanation.score, {
      total: 70,
      factors: [
        { id: 'lin', points: 30 },
        { id: 'bool', points: 40 },
      ],
    });
    assert.equal(e.progress?.paths[0]?.gap, 10);
    assert.equal(s.decide(facts({ '2024-06': 100 }, { flag: { '2024-06': 1 } })), 'high');
  });
  it('a hard trigger wins over the score and over hysteresis', () => {
    const e = s.evaluate(facts({ '2024-06': -1 }, { flag: { '2024-06': 1 } }), { level: 'high', periodsBelow: 0 });
    assert.equal(e.level, 'low');
    assert.equal(e.explanation.decidedBy.kind, 'trigger');
    assert.equal(e.progress, null);
  });
  it('savings customers with a loan 91 days past due are 风险 (docs/domain.md §1, §3)', () => {
    const savings = compilePack(defaultPolicyPack).scheme('savings-grade')!;
    const rich = { avg_daily_balance: { '2024-06': 100_000_000, '2024-05': 100_000_000, '2024-04': 100_000_000 } };
    assert.equal(savings.decide({ asOf: '2024-06', values: { ...rich, loan_days_past_due: { '2024-06': 90 } } }), 'good');
    assert.equal(savings.decide({ asOf: '2024-06', values: { ...rich, loan_days_past_due: { '2024-06': 91 } } }), 'risk');
  });
});

describe('hysteresis with a retention fraction', () => {
  const s = compilePack(
    packWith({
      id: 'p',
      version: 1,
      kind: 'rules',
      levels: [{ level: 'mid', when: gte(100, null) }],
      hysteresis: { downgradeAfterPeriods: 1, retentionPermille: 900 },
    }),
  ).scheme('s')!;
  it('keeps the level at or above 90 % of the line, and drops below it after the grace period', () => {
    assert.equal(s.evaluate(facts({ '2024-06': 90 }), { level: 'mid', periodsBelow: 0 }).level, 'mid');
    assert.equal(s.evaluate(facts({ '2024-06': 89 }), { level: 'mid', periodsBelow: 0 }).level, 'low');
    assert.equal(s.evaluate(facts({ '2024-06': 95 })).level, 'low');
    assert.equal(s.evaluate(facts({ '2024-06': 95 }), { level: 'mid', periodsBelow: 0 }).retention?.lines[0]?.required, 90);
  });
});

describe('hysteresis without a retention line', () => {
  // "Has a premium card" is an equality: there is no line to show as retention, but the months below still count.
  const s = compilePack(
    packWith({
      id: 'p',
      version: 1,
      kind: 'rules',
      levels: [{ level: 'mid', when: { kind: 'threshold', id: 'card', metric: 'flag', window: null, op: 'eq', value: 1 } }],
    }),
  ).scheme('s')!;
  it('a subject that lost the only qualifying fact drops after 3 months below', () => {
    let prior: PriorAssignment | undefined = nextPrior(s.evaluate({ asOf: '2024-06', values: { flag: { '2024-06': 1 } } }));
    const seen: string[] = [];
    for (const asOf of ['2024-07', '2024-08', '2024-09', '2024-10']) {
      const e = s.evaluate({ asOf, values: { flag: { [asOf]: 0 } } }, prior);
      assert.equal(e.retention, null);
      seen.push(`${e.level}:${e.state?.periodsBelow}`);
      prior = nextPrior(e);
    }
    assert.deepEqual(seen, ['mid:1', 'mid:2', 'low:0', 'low:0']);
  });
});

describe('overrides', () => {
  const tier = compilePack(defaultPolicyPack).scheme('retail-tier')!;
  const rich: SubjectFacts = {
    asOf: '2024-06',
    values: { avg_daily_balance: { '2024-06': 40_000_000, '2024-05': 40_000_000, '2024-04': 40_000_000 } },
  };
  const poor: SubjectFacts = { asOf: '2024-06', values: {} };
  const o = (mode: 'fixed' | 'floor', expiresAt: string | null = null): OverrideInfo => ({
    id: 'ov-1',
    scheme: 'retail-tier',
    level: 'gold',
    mode,
    reason: 'VIP retention',
    expiresAt,
    requestedBy: 'rm-1',
    approvedBy: 'head-1',
  });
  it('fixed means exactly this level, even when the rules say more', () => {
    const e = tier.evaluate(rich, undefined, o('fixed'));
    assert.equal(e.level, 'gold');
    assert.equal(e.explanation.decidedBy.kind, 'override');
    assert.match(e.explanation.decidedBy.label.en, /exactly this level/);
  });
  it('floor lets the rules lift the level but never drop below it', () => {
    assert.equal(tier.evaluate(rich, undefined, o('floor')).level, 'platinum');
    assert.equal(tier.evaluate(poor, undefined, o('floor')).level, 'gold');
  });
  it('an expired override no longer applies; expiry is checked at the end of the evaluated month unless told otherwise', () => {
    assert.equal(tier.evaluate(poor, undefined, o('fixed', '2024-06-30T00:00:00Z')).level, 'standard');
    assert.equal(tier.evaluate(poor, undefined, o('fixed', '2024-07-02T00:00:00Z')).level, 'gold');
    assert.equal(
      tier.evaluate(poor, undefined, o('fixed', '2024-06-30T00:00:00Z'), undefined, { at: '2024-06-15T00:00:00Z' }).level,
      'gold',
    );
  });
  it("the evaluated month ends at midnight in the bank's time zone, not in UTC", () => {
    // 1 July 02:00 in Shanghai: June had ended there, so the override decided all of June; in UTC
    // (30 June 18:00) it ran out before June ended.
    const pastJune = o('fixed', '2024-06-30T18:00:00Z');
    assert.equal(tier.evaluate(poor, undefined, pastJune).level, 'gold', 'default calendar: Asia/Shanghai');
    const utc = compilePack(defaultPolicyPack, { timeZone: 'UTC' }).scheme('retail-tier')!;
    assert.equal(utc.evaluate(poor, undefined, pastJune).level, 'standard');
    // 30 June 23:00 in Shanghai (15:00Z): expired within June in Shanghai, whatever UTC says.
    assert.equal(tier.evaluate(poor, undefined, o('fixed', '2024-06-30T15:00:00Z')).level, 'standard');
    assert.equal(compilePack(defaultPolicyPack, { timeZone: 'America/New_York' }).timeZone, 'America/New_York');
  });
  it('refuses a time zone the runtime does not know, when compiling', () => {
    assert.throws(() => compilePack(defaultPolicyPack, { timeZone: 'Asia/Shanghi' }), /IANA time zone.*Asia\/Shanghi/);
  });
  it('names the override that set the level in the explanation, so replaying gives the same level', () => {
    const fixed = tier.evaluate(rich, undefined, o('fixed'));
    assert.deepEqual(fixed.explanation.override, { id: 'ov-1', level: 'gold', mode: 'fixed' });
    assert.equal(tier.replay(fixed.explanation), 'gold');
    const floor = tier.evaluate(poor, { level: 'standard', periodsBelow: 0 }, o('floor'));
    assert.deepEqual(floor.explanation.override, { id: 'ov-1', level: 'gold', mode: 'floor' });
    assert.equal(tier.replay(floor.explanation), 'gold');
  });
  it('leaves the override out of the explanation when it did not decide (a floor below the rules, or expired)', () => {
    const lifted = tier.evaluate(rich, undefined, o('floor'));
    assert.equal(lifted.explanation.override, undefined);
    assert.equal(tier.replay(lifted.explanation), 'platinum');
    assert.equal(tier.evaluate(poor, undefined, o('fixed', '2024-06-30T00:00:00Z')).explanation.override, undefined);
  });
  it('an expired override leaves nothing for hysteresis to hold: the next month follows the rules', () => {
    const diamond: OverrideInfo = { ...o('fixed', '2025-07-15T00:00:00Z'), level: 'diamond' };
    const month = (asOf: string): SubjectFacts => ({ asOf, values: {} });
    const june = tier.evaluate(month('2025-06'), undefined, diamond);
    assert.equal(june.level, 'diamond');
    assert.equal(june.explanation.decidedBy.kind, 'override');
    assert.deepEqual(june.state, { level: 'standard', periodsBelow: 0, period: '2025-06' });
    let prior = nextPrior(june);
    const seen: string[] = [];
    for (const asOf of ['2025-07', '2025-08', '2025-09']) {
      const e: Evaluation = tier.evaluate(month(asOf), prior, diamond);
      seen.push(`${asOf}:${e.level}`);
      prior = nextPrior(e);
    }
    // Not in force at the end of July (it expired mid-month), so July is already the rules' level.
    assert.deepEqual(seen, ['2025-07:standard', '2025-08:standard', '2025-09:standard']);
  });
  it('months below keep counting under an override, so an earned level is held only for the grace left', () => {
    const diamond: OverrideInfo = { ...o('fixed', '2024-09-15T00:00:00Z'), level: 'diamond' };
    let prior: PriorAssignment = { level: 'gold', periodsBelow: 0, period: '2024-06' };
    const seen: string[] = [];
    for (const asOf of ['2024-07', '2024-08', '2024-09', '2024-10']) {
      const e = tier.evaluate({ asOf, values: {} }, prior, diamond);
      seen.push(`${e.level}/${e.state?.level}:${e.state?.periodsBelow}`);
      prior = nextPrior(e);
    }
    assert.deepEqual(seen, ['diamond/gold:1', 'diamond/gold:2', 'standard/standard:0', 'standard/standard:0']);
  });
  it('a floor at the level held in grace holds it (no retention) only if still in force at the re-tier the grace runs out in', () => {
    // Gold, two months below at 2024-06 with 3 allowed: the 2024-07 re-tier drops it (Asia/Shanghai: July ends 2024-07-31T16:00Z).
    const inGrace: PriorAssignment = { level: 'gold', periodsBelow: 1, period: '2024-05' };
    const retention = (expiresAt: string | null) => tier.evaluate(poor, inGrace, o('floor', expiresAt)).retention;
    assert.equal(tier.evaluate(poor, inGrace).retention?.periodsBelow, 2, 'no floor: in grace, two months below');
    assert.equal(retention(null), null, 'until removed');
    assert.equal(retention('2024-08-01T00:00:00Z'), null, 'in force when July ends');
    assert.equal(retention('2024-07-20T00:00:00Z')?.periodsBelow, 2, 'gone before the drop: the drop is still foretold');
    assert.equal(tier.evaluate(poor, inGrace, o('floor', '2024-07-20T00:00:00Z')).level, 'gold');
  });
});

describe('derived and matrix schemes, approval', () => {
  const pack = compilePack(defaultPolicyPack);
  const subject = (aml: number, balance: number): SubjectFacts => ({
    asOf: '2024-06',
    values: {
      avg_daily_balance: { '2024-06': balance, '2024-05': balance, '2024-04': balance },
      ...Object.fromEntries(
        ['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk'].map((k) => [k, { '2024-06': aml }]),
      ),
    },
  });
  it('puts a low-risk diamond customer in the best cell and a high-risk standard one in the exit cell', () => {
    const best = pack.evaluateSubject('customer', subject(0, 200_000_000));
    assert.equal(best.find((e) => e.scheme === 'risk-value')?.level, 'low-risk-high-value');
    const worst = pack.evaluateSubject('customer', subject(100, 0));
    const cell = worst.find((e) => e.scheme === 'risk-value');
    assert.equal(cell?.level, 'high-risk-low-value');
    assert.deepEqual(cell?.explanation.levelsRead, { 'risk-band': 'high', 'value-band': 'low' });
    assert.equal(pack.scheme('risk-value')?.replay(cell!.explanation), 'high-risk-low-value');
  });
  it('flags a new AML 高 rating as needing approval, and a confirmed one not', () => {
    const aml = pack.scheme('aml-risk')!;
    assert.equal(aml.evaluate(subject(100, 0)).approvalRequired, true);
    assert.equal(aml.evaluate(subject(100, 0), { level: 'high', periodsBelow: 0 }).approvalRequired, false);
    assert.equal(aml.evaluate(subject(50, 0)).approvalRequired, false);
  });
});
