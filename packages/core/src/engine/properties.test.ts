import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePack, defaultPolicyPack, monthsBack, nextPrior } from '../index.js';
import type { PriorAssignment, SubjectFacts } from '../index.js';

const pack = compilePack(defaultPolicyPack);
const tier = pack.scheme('retail-tier')!;
const rank = (level: string) => tier.summary.levels.findIndex((l) => l.key === level);
const MONTHS = monthsBack('2024-06', 12);
const fen = fc.integer({ min: 0, max: 500_000_000 });

/** Any subject: any subset of months, any values, including metrics no policy reads. */
const anyFacts: fc.Arbitrary<SubjectFacts> = fc
  .dictionary(
    fc.constantFrom(...defaultPolicyPack.metrics.map((m) => m.key), 'unknown_metric'),
    fc.dictionary(fc.constantFrom(...MONTHS, '2030-01', '1999-12'), fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.constant(0))),
  )
  .map((values) => ({ asOf: '2024-06', values }));

describe('properties of the engine', () => {
  it('more balance never lowers the card tier (monotone thresholds)', () => {
    fc.assert(
      fc.property(fen, fen, fen, (a, extra, income) => {
        const f = (b: number): SubjectFacts => ({
          asOf: '2024-06',
          values: {
            avg_daily_balance: { '2024-06': b, '2024-05': b, '2024-04': b },
            household_income: { '2024-01': income },
          },
        });
        return rank(tier.decide(f(a + extra))) >= rank(tier.decide(f(a)));
      }),
    );
  });

  it('evaluation is deterministic and agrees with the fast path', () => {
    fc.assert(
      fc.property(anyFacts, (facts) => {
        const one = pack.evaluateSubject('customer', facts);
        const two = pack.evaluateSubject('customer', facts);
        assert.deepEqual(one, two);
        const retail = one.find((e) => e.scheme === 'retail-tier');
        assert.equal(retail?.level, tier.decide(facts));
      }),
      { numRuns: 200 },
    );
  });

  it('any schema-valid policy in the pack evaluates every kind of subject without throwing', () => {
    fc.assert(
      fc.property(anyFacts, (facts) => {
        for (const kind of ['customer', 'corporate', 'product', 'employee'] as const) {
          for (const e of pack.evaluateSubject(kind, facts)) assert.ok(e.level.length > 0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('hysteresis never downgrades inside the grace window', () => {
    fc.assert(
      fc.property(fc.array(fen, { minLength: 1, maxLength: 12 }), (balances) => {
        let prior: PriorAssignment | undefined;
        let below = 0;
        balances.forEach((b, i) => {
          const asOf = MONTHS[MONTHS.length - 1 - i]!;
          const e = tier.evaluate({ asOf, values: { avg_daily_balance: { [asOf]: b } } }, prior);
          if (prior && rank(e.level) < rank(prior.level)) {
            // A drop is only allowed once the raw level has been below for 3 consecutive periods.
            assert.ok(below + 1 >= 3, `dropped after ${below + 1} period(s) below`);
          }
          below = e.retention?.periodsBelow ?? 0;
          prior = nextPrior(e, asOf);
        });
      }),
    );
  });

  it('an explanation reproduces its level from the inputs it names, overrides included', () => {
    const tierLevel = fc.constantFrom('standard', 'gold', 'platinum', 'diamond');
    const priorArb = fc.option(fc.record({ level: tierLevel, periodsBelow: fc.integer({ min: 0, max: 2 }) }), { nil: undefined });
    const overrideArb = fc.option(
      fc.record({ level: tierLevel, mode: fc.constantFrom('fixed' as const, 'floor' as const) }).map((o) => ({
        id: 'ov',
        scheme: 'retail-tier',
        level: o.level,
        mode: o.mode,
        reason: 'r',
        expiresAt: null,
        requestedBy: 'rm',
        approvedBy: null,
      })),
      { nil: undefined },
    );
    fc.assert(
      fc.property(anyFacts, priorArb, overrideArb, (facts, prior, override) => {
        for (const s of pack.schemesFor('customer')) {
          const levels: Record<string, string> = {};
          for (const e of pack.evaluateSubject('customer', facts)) levels[e.scheme] = e.level;
          const mine = s.summary.key === 'retail-tier';
          const e = s.evaluate(facts, mine ? prior : undefined, mine ? override : undefined, levels);
          assert.equal(s.replay(e.explanation), e.level, `${s.summary.key}: ${JSON.stringify(e.explanation)}`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
