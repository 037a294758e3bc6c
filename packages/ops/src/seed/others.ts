import { History, type SeedSubject } from './customers.js';
import { companyName, personName, productName } from './names.js';
import { clampInt, type Prng } from './prng.js';

/** A company: industry code 1–4 (工业, 批发, 零售, 软件), staff and revenue reported yearly. */
export function randomCorporate(rng: Prng, externalId: string, months: readonly string[]): SeedSubject {
  const h = new History(months);
  const industry = rng.int(1, 4);
  const staff = clampInt(rng.logNormal(40, 1.5), 1, 50_000);
  const revenueYuan = rng.logNormal(staff * 600_000, 0.8);
  h.set('industry_code', 0, industry);
  h.yearly('employees', (y) => clampInt(staff * (1 + 0.05 * y), 1, 60_000));
  h.yearly('annual_revenue', (y) => revenueYuan * (1 + 0.06 * y) * 100);
  return { externalId, kind: 'corporate', displayName: companyName(rng), attributes: { industry }, values: h.values };
}

/** A wealth product with its risk class R1–R5 (1–5). */
export function randomProduct(rng: Prng, externalId: string, n: number, months: readonly string[]): SeedSubject {
  const h = new History(months);
  h.set('product_risk_class', 0, rng.pick([1, 2, 2, 3, 3, 3, 4, 5]));
  return { externalId, kind: 'product', displayName: productName(rng, n), attributes: {}, values: h.values };
}

/** An employee: monthly performance score and tenure. */
export function randomEmployee(rng: Prng, externalId: string, months: readonly string[]): SeedSubject {
  const h = new History(months);
  const tenure = rng.int(1, 180);
  const skill = 65 + rng.normal() * 12;
  for (let i = 0; i < months.length; i++) {
    h.set('performance_score', i, clampInt(skill + rng.normal() * 6, 0, 100));
    h.set('tenure_months', i, tenure + i);
  }
  return {
    externalId,
    kind: 'employee',
    displayName: personName(rng),
    attributes: { branch: rng.pick(['上海分行', '北京分行', '深圳分行']) },
    values: h.values,
  };
}
