import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchemeDocument, defaultPolicyPack, formatPolicyErrors, validatePolicyPack } from '../index.js';

// biome-ignore lint/suspicious/noExplicitAny: a test writes the raw JSON a bank's scheme author sends
function withScheme(scheme: any, metrics?: any[]): any {
  const doc = JSON.parse(JSON.stringify(defaultPolicyPack));
  if (metrics) doc.metrics = metrics;
  doc.schemes.push(scheme);
  return doc;
}
const levels = [
  { key: 'standard', rank: 0, name: { 'zh-CN': '普通', 'zh-TW': '普通', en: 'Standard' }, color: 'neutral' },
  { key: 'high', rank: 1, name: { 'zh-CN': '高', 'zh-TW': '高', en: 'High' }, color: 'danger' },
];
/** The persona's vip-care: a customer rules scheme whose `high` reads what AML (or credit) reads. */
const vipCare = (when: unknown, audience = 'customer') => ({
  key: 'vip-care',
  subjectKind: 'customer',
  category: 'value',
  audience,
  name: { 'zh-CN': '贵宾关怀', 'zh-TW': '貴賓關懷', en: 'VIP care' },
  levels,
  policy: { id: 'vip-care', version: 1, kind: 'rules', levels: [{ level: 'high', when }] },
});
const threshold = (metric: string, value: number) => ({ kind: 'threshold', metric, window: null, op: 'gte', value });
const last = (doc: { schemes: unknown[] }) => doc.schemes.length - 1;
function errorsOf(doc: unknown) {
  const r = validatePolicyPack(doc, { authoring: true });
  assert.equal(r.ok, false, 'the document should be rejected');
  return r.ok ? [] : r.errors;
}

describe('a customer scheme and the metrics kept from customers', () => {
  it('refuses a customer rule on PEP or an AML score, naming the metric (tipping-off)', () => {
    const doc = withScheme(vipCare({ kind: 'any', of: [threshold('pep', 1), threshold('aml_customer_risk', 70)] }));
    const errors = errorsOf(doc).filter((e) => e.code === 'staff_metric');
    const i = last(doc);
    assert.deepEqual(
      errors.map((e) => [e.path, e.params?.metric]),
      [
        [`schemes[${i}].policy.levels[0].when.of[0].metric`, 'pep'],
        [`schemes[${i}].policy.levels[0].when.of[1].metric`, 'aml_customer_risk'],
      ],
    );
  });

  it('refuses a customer rule or trigger on the credit score', () => {
    assert.equal(errorsOf(withScheme(vipCare(threshold('credit_score', 60))))[0]?.params?.metric, 'credit_score');
    const score = JSON.parse(JSON.stringify(defaultPolicyPack.schemes.find((s) => s.key === 'savings-grade')));
    score.key = 'savings-2';
    score.policy.triggers[0].when = threshold('aml_geography_risk', 80);
    const errors = errorsOf(withScheme(score));
    assert.deepEqual(
      errors.map((e) => [e.code, e.params?.metric]),
      [['staff_metric', 'aml_geography_risk']],
    );
  });

  it('lets a staff scheme read them, and a customer one read a metric the bank did not mark', () => {
    for (const doc of [withScheme(vipCare(threshold('pep', 1), 'staff')), withScheme(vipCare(threshold('avg_daily_balance', 1)))]) {
      const r = validatePolicyPack(doc, { authoring: true });
      assert.equal(r.ok, true, r.ok ? '' : formatPolicyErrors(r.errors));
    }
  });

  it('keeps a staff score factor to a minority of a customer score: the star rating’s 15-point credit record passes, 50 does not', () => {
    const star = JSON.parse(JSON.stringify(defaultPolicyPack.schemes.find((s) => s.key === 'star-rating')));
    star.key = 'star-2';
    // biome-ignore lint/suspicious/noExplicitAny: the raw JSON
    const factors = star.policy.factors as any[];
    const credit = factors.findIndex((f) => f.metric === 'credit_score');
    const other = factors.reduce((best, f, i) => (i !== credit && f.weight > (factors[best]?.weight ?? -1) ? i : best), -1);
    factors[other].weight -= 35;
    factors[credit].weight += 35;
    const errors = errorsOf(withScheme(star));
    assert.deepEqual(
      errors.map((e) => [e.code, e.params?.metric, e.params?.actual]),
      [['staff_metric', 'credit_score', 50]],
    );
  });

  it('refuses an AML score or PEP status as a customer score factor at any weight, also from a catalogue stored before the flag', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the raw JSON
    const stored = defaultPolicyPack.metrics.map(({ audience: _none, ...m }: any) => m);
    for (const metric of ['pep', 'aml_customer_risk'])
      for (const catalogue of [undefined, stored]) {
        const star = JSON.parse(JSON.stringify(defaultPolicyPack.schemes.find((s) => s.key === 'star-rating')));
        star.key = 'star-2';
        // biome-ignore lint/suspicious/noExplicitAny: the raw JSON
        const factors = star.policy.factors as any[];
        // Five points of the largest factor move to the compliance figure: far under the staff share's limit.
        const largest = factors.reduce((best, f, i) => (f.weight > (factors[best]?.weight ?? -1) ? i : best), 0);
        factors[largest].weight -= 5;
        factors.push({ ...factors[largest], metric, weight: 5 });
        const errors = errorsOf(withScheme(star, catalogue));
        assert.deepEqual(
          errors.filter((e) => e.code === 'staff_metric').map((e) => [e.params?.metric, e.params?.actual]),
          [[metric, undefined]],
          `${metric} ${catalogue ? 'stored' : 'default'}: ${formatPolicyErrors(errors)}`,
        );
      }
  });

  it('guards a catalogue stored before the flag by the default catalogue’s keys, and a bank’s own metric it marks', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the raw JSON
    const stored = defaultPolicyPack.metrics.map(({ audience: _none, ...m }: any) => m);
    assert.equal(errorsOf(withScheme(vipCare(threshold('pep', 1)), stored))[0]?.code, 'staff_metric');
    const own = [
      ...stored,
      {
        key: 'sanctions_hit',
        unit: 'boolean',
        label: { 'zh-CN': '制裁名单', 'zh-TW': '制裁名單', en: 'sanctions hit' },
        audience: 'staff',
      },
    ];
    assert.equal(errorsOf(withScheme(vipCare(threshold('sanctions_hit', 1)), own))[0]?.params?.metric, 'sanctions_hit');
  });
});

describe('a version stored before these checks', () => {
  it('still loads, and another scheme’s draft beside it passes; a new version of it is refused', () => {
    const stored = withScheme(vipCare(threshold('pep', 1)));
    const loaded = validatePolicyPack(stored);
    assert.equal(loaded.ok, true, 'the stored pack loads: refusing it would take the tenant down');
    const retail = JSON.parse(JSON.stringify(defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier')));
    assert.equal(checkSchemeDocument(stored, 'retail-tier', retail).ok, true);
    const again = checkSchemeDocument(stored, 'vip-care', vipCare(threshold('pep', 1)));
    assert.deepEqual(again.ok ? [] : again.errors.map((e) => [e.path, e.code]), [
      ['document.policy.levels[0].when.metric', 'staff_metric'],
    ]);
  });
});
