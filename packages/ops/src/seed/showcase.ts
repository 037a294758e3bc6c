import { showcaseCustomer, type SeedSubject } from './customers.js';
import type { Prng } from './prng.js';

/*
 * The customers the demo pages embed, by fixed external id. Balance paths are in yuan per month,
 * indexed over the evaluated months (0 = oldest, `n − 1` = the last complete month); each tells a
 * story the widgets should show.
 */

/** External ids the demo pages use. Never renumber: apps/portal-demo links to them. */
export const SHOWCASE_IDS = ['C000001', 'C000002', 'C000003', 'C000004', 'C000005'] as const;

/**
 * @param lead months of data before the first evaluated month (windows need them)
 * @param n    evaluated months
 */
export function showcaseCustomers(rng: Prng, months: readonly string[], lead: number, n: number): SeedSubject[] {
  const at = (i: number) => i - lead; // metric month index → evaluated month index (negative: lead-in)
  const fromEnd = (i: number) => n - 1 - at(i); // 0 = the last complete month
  return [
    // 钻石卡: platinum for the first months, then a large inflow made them diamond.
    showcaseCustomer(
      rng,
      {
        externalId: 'C000001',
        displayName: '王建国',
        incomeYuan: 2_400_000,
        age: 56,
        balance: (i) => (at(i) < 8 ? 650_000 : 1_900_000 + (i % 3) * 60_000),
      },
      months,
    ),
    // 白金卡: gold, then platinum; a two-month dip a year ago was bridged by the grace period.
    showcaseCustomer(
      rng,
      {
        externalId: 'C000002',
        displayName: '李秀英',
        incomeYuan: 520_000,
        age: 47,
        balance: (i) => (at(i) < 6 ? 120_000 : at(i) === 12 || at(i) === 13 ? 150_000 : 460_000),
      },
      months,
    ),
    // 金卡, ¥12,000 short of 白金卡: the last three months average ¥288,000.
    showcaseCustomer(
      rng,
      {
        externalId: 'C000003',
        displayName: '张晓明',
        incomeYuan: 150_000,
        age: 38,
        balance: (i) => (at(i) < 5 ? 30_000 : fromEnd(i) < 3 ? 288_000 : 150_000 + (i % 4) * 10_000),
      },
      months,
    ),
    // 普通 close to 金卡: was gold, fell to ¥46,000 a month and was downgraded after three months.
    showcaseCustomer(
      rng,
      {
        externalId: 'C000004',
        displayName: '刘洋',
        incomeYuan: 150_000,
        age: 29,
        balance: (i) => (at(i) < 6 ? 20_000 : fromEnd(i) > 8 ? 62_000 : 46_000),
      },
      months,
    ),
    // High AML risk (politically exposed): restrictions override the platinum benefits.
    showcaseCustomer(
      rng,
      {
        externalId: 'C000005',
        displayName: '陈志强',
        incomeYuan: 400_000,
        age: 61,
        amlScores: 70,
        pep: true,
        balance: (i) => (at(i) < 8 ? 200_000 : 380_000),
      },
      months,
    ),
  ];
}

/**
 * A customer who left long ago, and whose closing the bank has not recorded yet: their figures stop
 * ten months before the last complete month, and the bank has known them since its data begin
 * (`recordedFrom`, the first seeded month). A closing dated back to when they left is legitimate — after
 * their last recorded activity — and, more than three months back for a customer recorded that long ago,
 * waits for a second person (docs/operations.md, "A closing dated far back needs a second person"): what
 * the console's closing and approvals pages show with it. Not a random customer's number: the random
 * ones run from C000006 up to the count asked, and this one is never renumbered by a larger demo.
 */
export const LATE_LEAVER_ID = 'C099999';

/** Months before the last seeded month in which the late leaver's figures stop. */
export const LATE_LEAVER_QUIET_MONTHS = 10;

/** The late leaver (LATE_LEAVER_ID): no random draw, so no other customer's figures move with it. */
export function lateLeaver(months: readonly string[]): SeedSubject & { readonly recordedFrom: string } {
  const last = months.length - 1 - LATE_LEAVER_QUIET_MONTHS;
  const c = showcaseCustomer(
    undefined,
    { externalId: LATE_LEAVER_ID, displayName: '周文静', incomeYuan: 90_000, age: 44, amlScores: 14, balance: () => 36_000 },
    months.slice(0, last + 1),
  );
  return { ...c, attributes: { segment: 'retail' }, recordedFrom: months[0] ?? '' };
}
