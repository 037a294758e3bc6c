import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePack, defaultPolicyPack, nextPrior, resolveEntitlements } from '../index.js';
import type { PriorAssignment, SubjectFacts } from '../index.js';
import { CURE_MONTHS } from './credit-rating.js';

// The corrections seed 003 and docs/domain.md call for, on the default pack (packages/core/README.md).
const pack = compilePack(defaultPolicyPack);
const MONTHS = [
  '2025-01',
  '2025-02',
  '2025-03',
  '2025-04',
  '2025-05',
  '2025-06',
  '2025-07',
  '2025-08',
  '2025-09',
  '2025-10',
  '2025-11',
  '2025-12',
];
const every = (value: number) => Object.fromEntries(MONTHS.map((m) => [m, value]));
const AML = ['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk'];
const assessed = (score: number) => Object.fromEntries(AML.map((k) => [k, { '2025-06': score }]));

/** A diamond customer (¥2,000,000 every month), long deposits and card spending: 优质 savings by score. */
function rich(extra: Record<string, Record<string, number>>): Record<string, Record<string, number>> {
  return { avg_daily_balance: every(200_000_000), deposit_term_months: every(40), card_spend: every(3_000_000), ...extra };
}
function levels(asOf: string, values: SubjectFacts['values'], priors?: Record<string, PriorAssignment>) {
  return Object.fromEntries(pack.evaluateSubject('customer', { asOf, values }, priors).map((e) => [e.scheme, e.level]));
}

describe('the risk axis of the risk × value matrix reads credit as well as AML', () => {
  it('a defaulted borrower (credit C, 120 days past due) with low AML risk and high value is high risk, not 低风险·高价值', () => {
    const l = levels('2025-12', rich({ ...assessed(10), credit_score: { '2025-06': 85 }, loan_days_past_due: { '2025-12': 120 } }));
    assert.equal(l['aml-risk'], 'low');
    assert.equal(l['credit-rating'], 'C');
    assert.equal(l['risk-band'], 'high');
    assert.equal(l['risk-value'], 'high-risk-high-value');
  });
  it('the worse band wins either way: BB credit makes a low-AML customer medium; AML 高 is high whatever the credit', () => {
    assert.equal(levels('2025-12', rich({ ...assessed(10), credit_score: { '2025-06': 55 } }))['risk-band'], 'medium');
    assert.equal(levels('2025-12', rich({ ...assessed(90), credit_score: { '2025-06': 95 } }))['risk-band'], 'high');
  });
  it('AAA credit and low AML risk is the best cell, and the explanation names the band that decided', () => {
    const cell = pack.evaluateSubject('customer', { asOf: '2025-12', values: rich({ ...assessed(10), credit_score: { '2025-06': 95 } }) });
    assert.equal(cell.find((e) => e.scheme === 'risk-value')?.level, 'low-risk-high-value');
    const band = pack
      .evaluateSubject('customer', { asOf: '2025-12', values: rich({ ...assessed(10), credit_score: { '2025-06': 35 } }) })
      .find((e) => e.scheme === 'risk-band');
    assert.equal(band?.explanation.decidedBy.id, 'map.credit-rating.CCC');
    assert.deepEqual(band?.explanation.levelsRead, { 'aml-risk': 'low', 'credit-rating': 'CCC' });
  });
  it('a rating more than a year old stands: a stale CCC is not NR (which reads as low risk)', () => {
    const stale = levels('2025-12', rich({ ...assessed(10), credit_score: { '2024-03': 35 } }));
    assert.equal(stale['credit-rating'], 'CCC');
    assert.equal(stale['risk-band'], 'high');
    assert.equal(levels('2025-12', rich({ ...assessed(10), credit_score: { '2024-03': 95 } }))['credit-rating'], 'AAA');
    assert.equal(levels('2025-12', rich({ ...assessed(10), credit_score: { '2025-06': 0 } }))['credit-rating'], 'C', 'a recent 0 is rated');
  });
  it('no credit history is not the default grade: NR, and the AML band decides', () => {
    const l = levels('2025-12', rich(assessed(10)));
    assert.equal(l['credit-rating'], 'NR');
    assert.equal(l['risk-band'], 'low');
  });
});

describe('a customer never assessed for AML is not low risk', () => {
  it('no AML data gives "unassessed", a band of its own and a matrix row of its own', () => {
    const l = levels('2025-12', rich({ credit_score: { '2025-06': 95 } }));
    assert.equal(l['aml-risk'], 'unassessed');
    assert.equal(l['risk-band'], 'unassessed');
    assert.equal(l['risk-value'], 'unassessed-risk-high-value');
    assert.ok(defaultPolicyPack.schemes.find((s) => s.key === 'risk-value')?.matrix?.rows.includes('unassessed'));
  });
  it('an assessment with every factor 0 is low risk: the score is read only when there is one', () => {
    assert.equal(levels('2025-12', rich({ ...assessed(0), credit_score: { '2025-06': 95 } }))['aml-risk'], 'low');
  });
  it('the first assessment applies at once (an upgrade from unassessed), and PEP wins over no data', () => {
    const aml = pack.scheme('aml-risk')!;
    const e = aml.evaluate({ asOf: '2025-12', values: assessed(40) }, { level: 'unassessed', periodsBelow: 0, period: '2025-11' });
    assert.equal(e.level, 'medium');
    assert.equal(aml.evaluate({ asOf: '2025-12', values: { pep: { '2025-01': 1 } } }).level, 'high');
  });
  it('an unassessed customer is due for review within a month, ahead of every assessed level (ten working days, §4)', () => {
    const levels = defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk')!.levels;
    const months = Object.fromEntries(levels.map((l) => [l.key, l.reviewMonths]));
    assert.deepEqual(months, { unassessed: 1, low: 48, medium: 24, 'medium-high': 12, high: 6 });
  });
  it('an assessment more than a year old stands: a lapsed 高 keeps its grade and its restriction, a lapsed 低 stays 低', () => {
    const aml = pack.scheme('aml-risk')!;
    const old = (score: number) => Object.fromEntries(AML.map((k) => [k, { '2024-06': score }]));
    const high = aml.evaluate({ asOf: '2025-12', values: old(90) }, { level: 'high', periodsBelow: 0, period: '2025-11' });
    assert.equal(high.level, 'high', 'a missed review does not lift enhanced due diligence');
    const lanes = resolveEntitlements(defaultPolicyPack, { 'retail-tier': 'gold', 'aml-risk': high.level }).entitlements;
    assert.equal(lanes.find((e) => e.def.key === 'priority-lane')?.status, 'blocked');
    assert.equal(
      levels('2025-12', rich({ ...old(90), credit_score: { '2025-06': 95 } }), { 'aml-risk': { level: 'high', periodsBelow: 0 } })[
        'risk-band'
      ],
      'high',
    );
    assert.equal(aml.evaluate({ asOf: '2025-12', values: old(10) }).level, 'low', '低 is valid for 48 months (§4)');
  });
  it('a worse known credit risk still shows: unassessed AML with CCC credit is high risk', () => {
    assert.equal(levels('2025-12', rich({ credit_score: { '2025-06': 35 } }))['risk-band'], 'high');
  });
});

describe(`a cured default restores 优质 / AAA only after ${CURE_MONTHS} clean months`, () => {
  it('month by month: default in March, cured in April, back in September', () => {
    const values = rich({ ...assessed(10), credit_score: every(95), loan_days_past_due: { ...every(0), '2025-03': 120 } });
    let priors: Record<string, PriorAssignment> = {};
    const seen: string[] = [];
    for (const asOf of MONTHS.slice(1, 10)) {
      const evals = pack.evaluateSubject('customer', { asOf, values }, priors);
      priors = Object.fromEntries(evals.map((e) => [e.scheme, nextPrior(e)]));
      const get = (k: string) => evals.find((e) => e.scheme === k)?.level;
      seen.push(`${asOf} ${get('savings-grade')} ${get('credit-rating')}`);
    }
    assert.deepEqual(seen, [
      '2025-02 premium AAA',
      '2025-03 risk C',
      '2025-04 risk C',
      '2025-05 risk C',
      '2025-06 risk C',
      '2025-07 risk C',
      '2025-08 risk C',
      '2025-09 premium AAA',
      '2025-10 premium AAA',
    ]);
  });
});

describe('a product with no risk class is unrated, not R1', () => {
  const product = (values: SubjectFacts['values']) => pack.evaluateSubject('product', { asOf: '2025-12', values })[0];
  it('no class recorded gives "unrated", a level suitability refuses to read as R1–R5', () => {
    const e = product({});
    assert.equal(e?.scheme, 'product-risk');
    assert.equal(e?.level, 'unrated');
    assert.equal(e?.explanation.decidedBy.kind, 'default');
  });
  it('classes 1–5 are R1–R5, the latest recorded however old', () => {
    for (const n of [1, 2, 3, 4, 5]) assert.equal(product({ product_risk_class: { '2023-03': n } })?.level, `R${n}`);
    assert.equal(product({ product_risk_class: { '2023-03': 4, '2025-11': 1 } })?.level, 'R1');
  });
});

describe('a derived level says what it read in the reader’s words', () => {
  it('risk-band names the scheme and levels it read, in zh-CN, zh-TW and en (not their keys)', () => {
    const band = pack
      .evaluateSubject('customer', { asOf: '2025-12', values: rich({ ...assessed(60), credit_score: { '2025-06': 95 } }) })
      .find((e) => e.scheme === 'risk-band');
    assert.equal(band?.explanation.decidedBy.id, 'map.aml-risk.medium-high');
    assert.deepEqual(band?.explanation.decidedBy.label, {
      'zh-CN': '反洗钱风险等级：中高 → 高风险',
      'zh-TW': '反洗錢風險等級：中高 → 高風險',
      en: 'AML risk: Medium-high → High risk',
    });
    const value = pack.evaluateSubject('customer', { asOf: '2025-12', values: rich({}) }).find((e) => e.scheme === 'value-band');
    assert.equal(value?.explanation.decidedBy.label['zh-CN'], '客户等级：钻石卡 → 高价值');
  });
});

describe('who reads a grade in the default pack (docs/domain.md §4)', () => {
  it('the AML grade names its readers; the credit rating none, so a relationship manager reads their own customers’', () => {
    const readers = (key: string) => defaultPolicyPack.schemes.find((s) => s.key === key)?.readers;
    assert.deepEqual(readers('aml-risk')?.roles, ['officer', 'approver', 'admin']);
    assert.equal(readers('aml-risk')?.books, undefined, 'not book-scoped staff');
    // Decided: an RM prepares their customers' credit applications on the internal rating; it carries no suspicion.
    assert.equal(readers('credit-rating'), undefined);
  });
});
