import { clampInt, type Prng } from './prng.js';

/** One generated subject with its metric history, before anything is stored. */
export interface SeedSubject {
  readonly externalId: string;
  readonly kind: 'customer' | 'corporate' | 'product' | 'employee';
  readonly displayName: string;
  readonly attributes: Record<string, string | number | boolean>;
  /** metric → period → integer (money in fen). */
  readonly values: Record<string, Record<string, number>>;
  /** The month the bank first recorded them, when before the seed (`created_at` then its first instant). */
  readonly recordedFrom?: string;
}

const FEN = 100;

/** Metric history builder over the seeded months. */
export class History {
  readonly values: Record<string, Record<string, number>> = {};
  constructor(readonly months: readonly string[]) {}
  set(metric: string, monthIndex: number, value: number): void {
    const period = this.months[monthIndex];
    if (period !== undefined) (this.values[metric] ??= {})[period] = Math.round(value);
  }
  /** Report at the first month and again a year later: "latest in 12 months" windows always see one. */
  yearly(metric: string, value: (year: number) => number): void {
    for (let i = 0; i < this.months.length; i += 12) this.set(metric, i, value(i / 12));
  }
}

/**
 * A random retail customer. Balances are log-normal (median ¥20,000, heavy right tail: roughly a
 * quarter reach 金卡, a few percent 白金卡, a fraction of a percent 钻石卡) with drift, noise and,
 * for some, one large deposit or withdrawal — which is what makes tiers change and hysteresis show.
 */
export function randomCustomer(rng: Prng, externalId: string, displayName: string, months: readonly string[]): SeedSubject {
  const h = new History(months);
  const n = months.length;
  const wealthZ = rng.normal();
  const base = rng.logNormal(20_000, 1.6, wealthZ);
  const drift = rng.normal() * 0.02;
  const shockAt = rng.chance(0.15) ? rng.int(3, n - 1) : -1;
  const shock = shockAt >= 0 ? Math.exp(rng.normal() * 1.2) : 1;
  for (let i = 0; i < n; i++) {
    const level = base * Math.exp(drift * i + rng.normal() * 0.12) * (shockAt >= 0 && i >= shockAt ? shock : 1);
    h.set('avg_daily_balance', i, Math.max(0, level) * FEN);
    h.set('transaction_count', i, clampInt(rng.logNormal(14, 0.7), 0, 2000));
  }
  const incomeZ = 0.6 * wealthZ + 0.8 * rng.normal();
  h.yearly('household_income', (y) => rng.logNormal(100_000, 0.7, incomeZ) * (1 + 0.04 * y) * FEN);
  const cardHolder = rng.chance(0.7);
  if (cardHolder) for (let i = 0; i < n; i++) h.set('card_spend', i, rng.logNormal(2_500 * Math.exp(0.4 * wealthZ), 0.8) * FEN);
  if (rng.chance(0.02 + (wealthZ > 1.5 ? 0.15 : 0))) h.set('premium_card', rng.chance(0.6) ? 0 : rng.int(1, n - 1), 1);
  const credit = clampInt(70 + rng.normal() * 12 + wealthZ * 3, 0, 100);
  h.yearly('credit_score', () => clampInt(credit + rng.normal() * 4, 0, 100));
  if (rng.chance(0.25)) {
    // A borrower: on time, except a few who fall behind once and may or may not recover.
    const lateFrom = rng.chance(0.06) ? rng.int(2, n - 2) : -1;
    let dpd = 0;
    for (let i = 0; i < n; i++) {
      if (lateFrom >= 0 && i >= lateFrom && i < lateFrom + 5) dpd += 30;
      else if (lateFrom >= 0 && i >= lateFrom + 5 && rng.chance(0.5)) dpd = 0;
      h.set('loan_days_past_due', i, dpd);
    }
  }
  h.yearly('deposit_term_months', () => rng.pick([0, 3, 6, 12, 12, 24, 36, 60]));
  const risk = (bias: number) => clampInt(100 * rng.next() ** 2.2 + bias, 0, 100);
  const amlBias = rng.chance(0.03) ? 45 : 0;
  for (const m of ['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk']) h.yearly(m, () => risk(amlBias));
  if (rng.chance(0.002)) h.set('pep', 0, 1);
  h.yearly('risk_questionnaire_score', () => clampInt(20 + rng.next() * 75, 0, 100));
  const age = rng.int(22, 78);
  h.yearly('age', (y) => age + y);
  if (base > 150_000) for (let i = 0; i < n; i++) if (rng.chance(0.12)) h.set('lounge_visits', i, 1);
  return { externalId, kind: 'customer', displayName, attributes: { segment: base > 300_000 ? 'private' : 'retail' }, values: h.values };
}

/** Shape of a showcase customer's balance: yuan per month, oldest first. */
export type BalancePath = (month: number) => number;

/**
 * A hand-written customer the demo pages show, with a history chosen to tell a story. Other
 * metrics are ordinary so every scheme has a level to show.
 */
export function showcaseCustomer(
  /** Only drawn from for AML scores not given (`amlScores`). */
  rng: Prng | undefined,
  c: { externalId: string; displayName: string; balance: BalancePath; incomeYuan: number; amlScores?: number; pep?: boolean; age: number },
  months: readonly string[],
): SeedSubject {
  const h = new History(months);
  for (let i = 0; i < months.length; i++) {
    h.set('avg_daily_balance', i, c.balance(i) * FEN);
    h.set('transaction_count', i, 20 + (i % 5) * 3);
    h.set('card_spend', i, (6_000 + (i % 4) * 1_500) * FEN);
  }
  h.yearly('household_income', () => c.incomeYuan * FEN);
  h.yearly('credit_score', () => 82);
  h.yearly('deposit_term_months', () => 24);
  for (const m of ['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk'])
    h.yearly(m, () => c.amlScores ?? 12 + (rng?.int(0, 8) ?? 0));
  if (c.pep) h.set('pep', 0, 1);
  h.yearly('risk_questionnaire_score', () => 64);
  h.yearly('age', (y) => c.age + y);
  h.set('lounge_visits', months.length - 2, 2);
  return { externalId: c.externalId, kind: 'customer', displayName: c.displayName, attributes: { segment: 'showcase' }, values: h.values };
}
