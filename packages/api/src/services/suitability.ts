import {
  ageOn,
  BIRTH_DATE_ATTRIBUTE,
  checkSuitability,
  dayOf,
  parseCivilDate,
  periodEnd,
  PRODUCT_RISKS,
  RISK_TOLERANCES,
  type ProductRisk,
  type RiskTolerance,
  type SuitabilityResult,
} from '@tierkit/core';
import { findSubjectByExternalId, latestMetricPeriod, listAssignments } from '@tierkit/db';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { addMonths } from '../periods.js';
import { invalid, ProblemError } from '../problem.js';

/** What `GET /v1/subjects/{id}/suitability` answers. */
export interface SuitabilityView extends SuitabilityResult {
  readonly subject: string;
  readonly product: ProductRisk;
  /** The product subject the level was read from, when asked by product id. */
  readonly productId: string | null;
  readonly tolerance: RiskTolerance | null;
  /** Start of the month of the latest questionnaire answer (ISO 8601 UTC): the earliest the assessment can have been made. */
  readonly assessedAt: string | null;
  readonly at: string;
  /** Full years on the day of `at` in the bank's calendar, from the `birthDate` attribute; null without one. */
  readonly age: number | null;
}

function isOneOf<T extends string>(values: readonly T[], v: string | undefined): v is T {
  return v !== undefined && (values as readonly string[]).includes(v);
}

/**
 * Product risk R1–R5 against the customer's tolerance C1–C5 (docs/domain.md §2), with the reasons.
 * The tolerance is the customer's current level in the pack's customer `suitability` scheme; its
 * assessment date is the month of the latest observation of a metric that scheme reads, taken at
 * the month's first instant so that the one-year validity is never overstated. The product's level
 * comes from `product` (R1–R5) or from the current level of the product subject `productId`. Age is
 * the customer's full years on today's date in the bank's calendar, from the `birthDate` attribute
 * (checked when written); without one the adviser is told it cannot be weighed (`age-unknown`).
 */
export async function suitabilityView(
  deps: ApiDeps,
  externalId: string,
  q: { readonly product?: ProductRisk; readonly productId?: string },
): Promise<SuitabilityView> {
  if ((q.product === undefined) === (q.productId === undefined)) {
    throw invalid([
      {
        path: 'query.product',
        message: 'give exactly one of product (R1–R5) and productId',
        code: 'exactly_one',
        params: { fields: ['query.product', 'query.productId'] },
      },
    ]);
  }
  const tp = await packOf(deps);
  const customer = await subjectOr404(deps, externalId);
  if (customer.kind !== 'customer')
    throw new ProblemError('unprocessable', `Subject "${externalId}" is a ${customer.kind}, not a customer.`);
  const toleranceScheme = tp.pack.schemes.find((s) => s.category === 'suitability' && s.subjectKind === 'customer');
  const productScheme = tp.pack.schemes.find((s) => s.category === 'suitability' && s.subjectKind === 'product');
  if (!toleranceScheme)
    throw new ProblemError('unprocessable', 'This tenant’s policy pack has no customer suitability (risk tolerance) scheme.');

  let product = q.product;
  if (q.productId !== undefined) {
    const p = await findSubjectByExternalId(deps.db, deps.tenantId, q.productId);
    if (p?.kind !== 'product') throw new ProblemError('subject-not-found', `No product with id "${q.productId}" in this tenant.`);
    const level = productScheme && (await listAssignments(deps.db, deps.tenantId, p.id)).find((a) => a.scheme === productScheme.key)?.level;
    if (!isOneOf(PRODUCT_RISKS, level)) throw new ProblemError('unprocessable', `Product "${q.productId}" has no product risk level yet.`);
    product = level;
  }
  if (product === undefined) throw new Error('unreachable: product or productId was checked above');

  const assignment = (await listAssignments(deps.db, deps.tenantId, customer.id)).find((a) => a.scheme === toleranceScheme.key);
  const metrics = [...new Set(assignment?.explanation.inputs.map((i) => i.metric) ?? [])];
  const latest = assignment ? await latestMetricPeriod(deps.db, deps.tenantId, customer.id, metrics) : undefined;
  const tolerance = isOneOf(RISK_TOLERANCES, assignment?.level) && latest !== undefined ? assignment.level : null;
  const assessedAt = tolerance !== null && latest !== undefined ? periodEnd(addMonths(latest, -1), tp.timeZone) : null;
  const now = deps.now();
  const at = now.toISOString();
  const stored = customer.attributes[BIRTH_DATE_ATTRIBUTE];
  // A value stored before dates of birth were checked, and not one, is no date of birth.
  const birth = typeof stored === 'string' ? parseCivilDate(stored) : undefined;
  const age = birth ? ageOn(birth, dayOf(now, tp.timeZone)) : null;
  const result = checkSuitability({ product, tolerance, assessedAt, at, age });
  return { subject: externalId, product, productId: q.productId ?? null, tolerance, assessedAt, at, age, ...result };
}
