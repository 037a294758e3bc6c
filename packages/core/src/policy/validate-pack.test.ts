import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, formatPolicyErrors, validatePolicyPack } from '../index.js';

/** A deep copy of the default pack an administrator can break. */
// biome-ignore lint/suspicious/noExplicitAny: a test mutates the raw JSON an administrator would send
function draft(): any {
  return JSON.parse(JSON.stringify(defaultPolicyPack));
}
function errorsOf(doc: unknown) {
  const r = validatePolicyPack(doc);
  assert.equal(r.ok, false, 'the document should be rejected');
  return r.ok ? [] : r.errors;
}
const schemeIndex = (doc: { schemes: { key: string }[] }, key: string) => doc.schemes.findIndex((s) => s.key === key);

describe('validating policy documents', () => {
  it('accepts the default pack as JSON', () => {
    const r = validatePolicyPack(draft());
    assert.equal(r.ok, true, r.ok ? '' : formatPolicyErrors(r.errors));
  });

  it('requires every scheme to say who may see it, and a customer scheme never to read a staff one', () => {
    const missing = draft();
    const i = schemeIndex(missing, 'star-rating');
    delete missing.schemes[i].audience;
    assert.deepEqual(
      errorsOf(missing).map((e) => e.path),
      [`schemes[${i}].audience`],
    );

    const leaky = draft();
    const j = schemeIndex(leaky, 'risk-band');
    leaky.schemes[j].audience = 'customer';
    const errors = errorsOf(leaky);
    assert.deepEqual(
      errors.map((e) => e.path),
      [`schemes[${j}].policy.from`, `schemes[${j}].policy.from`],
    );
    assert.match(errors[0]!.message, /customer scheme cannot read the staff scheme "aml-risk"/);
    assert.match(errors[1]!.message, /"credit-rating"/);
  });

  it('takes customerBlocks only on a staff scheme: on a customer scheme it would be ignored', () => {
    const doc = draft();
    const aml = schemeIndex(doc, 'aml-risk');
    doc.schemes[aml].customerBlocks = 'notice';
    assert.equal(validatePolicyPack(doc).ok, true);
    const i = schemeIndex(doc, 'retail-tier');
    doc.schemes[i].customerBlocks = 'notice';
    assert.deepEqual(
      errorsOf(doc).map((e) => [e.path, e.code, e.params]),
      [[`schemes[${i}].customerBlocks`, 'staff_only', { field: 'customerBlocks' }]],
    );
  });

  it('takes a level’s customer face only on a customer scheme, and only by a name no other level has', () => {
    const doc = draft();
    const basic = { name: { 'zh-CN': '基础', 'zh-TW': '基礎', en: 'Basic' }, color: 'neutral' };
    const aml = schemeIndex(doc, 'aml-risk');
    doc.schemes[aml].levels[4].customer = basic;
    const savings = schemeIndex(doc, 'savings-grade');
    // The savings grade's 风险 already reads 基础; a second level by a customer name another level has
    // would make a drop read 「普通 → 普通」.
    doc.schemes[savings].levels[2].customer = { name: { 'zh-CN': '良', 'zh-TW': '良', en: 'Ordinary' }, color: 'silver' };
    assert.deepEqual(
      errorsOf(doc).map((e) => [e.path, e.code, e.params]),
      [
        [`schemes[${savings}].levels[2].customer.name`, 'duplicate', { level: 'good', of: 'customer' }],
        [`schemes[${aml}].levels[4].customer`, 'customer_only', { field: 'customer', level: 'high' }],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('reads every source of a derived scheme: an unmapped level of a second source is named', () => {
    const doc = draft();
    const i = schemeIndex(doc, 'risk-band');
    delete doc.schemes[i].policy.alsoFrom[0].map.NR;
    assert.deepEqual(
      errorsOf(doc).map((e) => e.path),
      [`schemes[${i}].policy.alsoFrom[0].map.NR`],
    );
  });

  it('rejects an unknown metric and names the field', () => {
    const doc = draft();
    const i = schemeIndex(doc, 'retail-tier');
    doc.schemes[i].policy.levels[0].when.of[0].metric = 'avg_daily_balanse';
    const errors = errorsOf(doc);
    assert.deepEqual(
      errors.map((e) => e.path),
      [`schemes[${i}].policy.levels[0].when.of[0].metric`],
    );
    assert.match(errors[0]!.message, /unknown metric "avg_daily_balanse"/);
  });

  it('rejects thresholds out of order between levels', () => {
    const doc = draft();
    const i = schemeIndex(doc, 'retail-tier');
    doc.schemes[i].policy.levels[1].when.of[0].value = 4_000_000; // platinum below gold's ¥50,000
    const errors = errorsOf(doc);
    assert.ok(
      errors.some((e) => e.path === `schemes[${i}].policy.levels[1].when.of[0].value` && /out of order/.test(e.message)),
      formatPolicyErrors(errors),
    );
    // Both levels named, for a host to say which rule it collides with.
    const e = errors.find((x) => x.path === `schemes[${i}].policy.levels[1].when.of[0].value`);
    assert.deepEqual([e?.params?.level, e?.params?.otherLevel], ['platinum', 'gold']);
  });

  it('rejects overlapping score bands', () => {
    const doc = draft();
    const i = schemeIndex(doc, 'star-rating');
    doc.schemes[i].policy.bands[2].min = 30; // star-4 at 30 overlaps star-3 at 40
    const errors = errorsOf(doc);
    assert.ok(
      errors.some((e) => e.path === `schemes[${i}].policy.bands[2].min` && /overlap/.test(e.message)),
      formatPolicyErrors(errors),
    );
  });

  it('rejects a cycle between derived and matrix schemes', () => {
    const doc = draft();
    const i = schemeIndex(doc, 'risk-band');
    doc.schemes[i].policy.from = 'risk-value';
    doc.schemes[i].policy.map = Object.fromEntries(
      doc.schemes[schemeIndex(doc, 'risk-value')].levels.map((l: { key: string }) => [l.key, 'low']),
    );
    const errors = errorsOf(doc);
    assert.ok(
      errors.some((e) => /cycle between schemes/.test(e.message) && e.path.startsWith('schemes[')),
      formatPolicyErrors(errors),
    );
  });

  it('rejects a malformed document with zod field paths', () => {
    const doc = draft();
    doc.schemes[0].policy.levels[0].when.of[0].op = 'greater';
    doc.metrics[0].unit = 'yuan';
    const paths = errorsOf(doc).map((e) => e.path);
    assert.ok(paths.includes('metrics[0].unit'));
    assert.ok(paths.some((p) => p.startsWith('schemes[0].policy')));
  });

  it('rejects factor weights that do not add up to 100 and an incomplete matrix', () => {
    const doc = draft();
    const s = schemeIndex(doc, 'aml-risk');
    doc.schemes[s].policy.factors[0].weight = 10;
    const m = schemeIndex(doc, 'risk-value');
    doc.schemes[m].matrix.cells.pop();
    const errors = errorsOf(doc);
    assert.ok(errors.some((e) => e.path === `schemes[${s}].policy.factors` && /add up to 80/.test(e.message)));
    assert.ok(errors.some((e) => e.path === `schemes[${m}].matrix.cells` && /no cell/.test(e.message)));
  });
  it('gives every error a stable code and the params its words need, for a host to say in its own language', () => {
    const codes = (doc: unknown) => errorsOf(doc).map((e) => [e.path, e.code, e.params]);
    const zod = draft();
    zod.schemes[0].policy.levels[0].when.of[0].op = 'greater';
    const [[path, code, params]] = codes(zod) as [[string, string, { values: string[] }]];
    assert.deepEqual([path, code], ['schemes[0].policy.levels[0].when.of[0].op', 'invalid_value']);
    assert.ok(params.values.includes('gte'));
    // A condition of a kind there is none of: the kinds there are, as for any other enum.
    const kind = draft();
    kind.schemes[0].policy.levels[0].when.kind = 'sometimes';
    assert.deepEqual(codes(kind), [['schemes[0].policy.levels[0].when.kind', 'invalid_value', { values: ['threshold', 'any', 'all'] }]]);

    const broken = draft();
    const s = schemeIndex(broken, 'aml-risk');
    broken.schemes[s].policy.factors[0].weight = 10;
    const m = schemeIndex(broken, 'risk-value');
    const lost = broken.schemes[m].matrix.cells.pop();
    const star = schemeIndex(broken, 'star-rating');
    broken.schemes[star].policy.bands[2].min = 30;
    const band = schemeIndex(broken, 'risk-band');
    delete broken.schemes[band].policy.alsoFrom[0].map.NR;
    const found = codes(broken);
    for (const want of [
      [`schemes[${s}].policy.factors`, 'weights_sum', { actual: 80, expected: 100 }],
      [`schemes[${m}].matrix.cells`, 'no_cell', { row: lost.row, col: lost.col }],
      [`schemes[${star}].policy.bands[2].min`, 'out_of_order', { of: 'band', value: 30, other: 40 }],
      [`schemes[${band}].policy.alsoFrom[0].map.NR`, 'unmapped', { level: 'NR', scheme: broken.schemes[band].policy.alsoFrom[0].from }],
    ])
      assert.ok(
        found.some((f) => JSON.stringify(f) === JSON.stringify(want)),
        `${JSON.stringify(want)} in ${JSON.stringify(found)}`,
      );
    assert.ok(
      found.every(([, c]) => typeof c === 'string'),
      'no error without a code',
    );

    const cycle = draft();
    const i = schemeIndex(cycle, 'risk-band');
    cycle.schemes[i].policy.from = 'risk-value';
    cycle.schemes[i].policy.map = Object.fromEntries(
      cycle.schemes[schemeIndex(cycle, 'risk-value')].levels.map((l: { key: string }) => [l.key, 'low']),
    );
    const cyc = errorsOf(cycle).find((e) => e.code === 'cycle');
    assert.ok(cyc && Array.isArray(cyc.params?.schemes) && cyc.params.schemes.includes('risk-band'), JSON.stringify(cyc));
  });
});
