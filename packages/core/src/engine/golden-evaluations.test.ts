import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePack, defaultPolicyPack } from '../index.js';
import type { Evaluation, SubjectFacts } from '../index.js';

// Pins whole evaluations (explanation, progress, retention) so that speeding up the engine cannot
// change what a customer or an auditor is told. Compared as objects and as JSON, key order included.
const tier = compilePack(defaultPolicyPack).scheme('retail-tier')!;

const AVG3 = { fn: 'avg', months: 3, missing: 'zero' } as const;
const LAST12 = { fn: 'last', months: 12, missing: 'shorten' } as const;
const balance = (value: number) => ({ metric: 'avg_daily_balance', window: AVG3, value, unit: 'money', currency: 'CNY' }) as const;
const income = (value: number) => ({ metric: 'household_income', window: LAST12, value, unit: 'money', currency: 'CNY' }) as const;
const card = (value: number) => ({ metric: 'premium_card', window: null, value, unit: 'boolean' }) as const;
const path = (metric: 'avg_daily_balance' | 'household_income', current: number, required: number) =>
  ({
    metric,
    window: metric === 'avg_daily_balance' ? AVG3 : LAST12,
    unit: 'money',
    currency: 'CNY',
    current,
    required,
    gap: Math.max(0, required - current),
  }) as const;
const cardPath = (current: number) =>
  ({ metric: 'premium_card', window: null, unit: 'boolean', current, required: 1, gap: current >= 1 ? 0 : 1 }) as const;
const sixMonths = (fen: number) =>
  Object.fromEntries(['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'].map((m) => [m, fen]));

function assertSame(actual: Evaluation, expected: Evaluation): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

describe('golden full evaluations of the card tier', () => {
  it('a new ¥288,000 customer: gold by balance, ¥12,000 from platinum, three lines keep gold', () => {
    const facts: SubjectFacts = { asOf: '2024-06', values: { avg_daily_balance: sixMonths(28_800_000) } };
    assertSame(tier.evaluate(facts), {
      scheme: 'retail-tier',
      level: 'gold',
      rank: 1,
      previousLevel: null,
      changed: true,
      approvalRequired: false,
      explanation: {
        policyId: 'retail-tier',
        policyVersion: 1,
        decidedBy: {
          kind: 'threshold',
          id: 'gold.balance',
          label: {
            'zh-CN': '月日均资产（近3个月平均） ≥ ¥50,000',
            'zh-TW': '月平均資產餘額（近3個月平均） ≥ CN¥50,000',
            en: 'monthly average daily balance (average of the last 3 months) ≥ CN¥50,000',
          },
        },
        inputs: [balance(28_800_000), income(0), card(0)],
        asOf: '2024-06',
      },
      progress: {
        toLevel: 'platinum',
        paths: [path('avg_daily_balance', 28_800_000, 30_000_000), path('household_income', 0, 80_000_000)],
        nearest: 0,
      },
      retention: {
        toLevel: 'standard',
        lines: [path('avg_daily_balance', 28_800_000, 5_000_000), path('household_income', 0, 20_000_000), cardPath(0)],
        periodsBelow: 0,
        periodsAllowed: 3,
      },
      state: { level: 'gold', periodsBelow: 0, period: '2024-06' },
    });
  });

  it('a platinum customer fallen to gold by income is held in the second grace period; the balance is the way to diamond she can act on', () => {
    const facts: SubjectFacts = {
      asOf: '2024-06',
      values: { avg_daily_balance: sixMonths(1_000_000), household_income: { '2024-01': 25_000_000 } },
    };
    assertSame(tier.evaluate(facts, { level: 'platinum', periodsBelow: 1, period: '2024-05' }), {
      scheme: 'retail-tier',
      level: 'platinum',
      rank: 2,
      previousLevel: 'platinum',
      changed: false,
      approvalRequired: false,
      explanation: {
        policyId: 'retail-tier',
        policyVersion: 1,
        decidedBy: {
          kind: 'hysteresis',
          id: 'hysteresis.grace',
          label: {
            'zh-CN': '已连续 2 期低于标准（第 3 期起降级），保留原等级',
            'zh-TW': '已連續 2 期低於標準（第 3 期起降級），保留原等級',
            en: 'below the line for 2 consecutive periods (downgrade at 3): level kept',
          },
        },
        inputs: [balance(1_000_000), income(25_000_000), card(0)],
        asOf: '2024-06',
        prior: { level: 'platinum', periodsBelow: 1, period: '2024-05' },
      },
      progress: {
        toLevel: 'diamond',
        paths: [path('avg_daily_balance', 1_000_000, 150_000_000), path('household_income', 25_000_000, 300_000_000)],
        // Income is relatively nearer (92% short against 99%), but declared: the balance is what to grow.
        nearest: 0,
      },
      retention: {
        toLevel: 'gold',
        lines: [path('avg_daily_balance', 1_000_000, 30_000_000), path('household_income', 25_000_000, 80_000_000)],
        periodsBelow: 2,
        periodsAllowed: 3,
      },
      state: { level: 'platinum', periodsBelow: 2, period: '2024-06' },
    });
  });

  it('a gold customer in the third period below drops to standard, with every route back to gold', () => {
    const facts: SubjectFacts = { asOf: '2024-06', values: { avg_daily_balance: { '2024-06': 100_000 }, premium_card: { '2024-02': 0 } } };
    assertSame(tier.evaluate(facts, { level: 'gold', periodsBelow: 2 }), {
      scheme: 'retail-tier',
      level: 'standard',
      rank: 0,
      previousLevel: 'gold',
      changed: true,
      approvalRequired: false,
      explanation: {
        policyId: 'retail-tier',
        policyVersion: 1,
        decidedBy: {
          kind: 'default',
          id: 'default.standard',
          label: {
            'zh-CN': '未达到任何更高等级的条件',
            'zh-TW': '未達到任何更高等級的條件',
            en: 'no rule for a higher level holds',
          },
        },
        inputs: [balance(33_333), income(0), card(0)],
        asOf: '2024-06',
        prior: { level: 'gold', periodsBelow: 2 },
      },
      progress: {
        toLevel: 'gold',
        paths: [path('avg_daily_balance', 33_333, 5_000_000), path('household_income', 0, 20_000_000), cardPath(0)],
        nearest: 0,
      },
      retention: null,
      state: { level: 'standard', periodsBelow: 0, period: '2024-06' },
    });
  });
});
