import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchemeDocument, defaultPolicyPack, validatePolicyPack, type SchemeDefinition } from '../index.js';

/*
 * A band read from the AML grade may coarsen it but not isolate its sign-off level for staff who read
 * the band and not the grade (check-grade-disclosure.ts): that band level would be "AML 高" by another name.
 */

type Derived = Extract<SchemeDefinition['policy'], { kind: 'derived' }>;
const withBand = (edit: (band: SchemeDefinition) => SchemeDefinition) => ({
  ...defaultPolicyPack,
  schemes: defaultPolicyPack.schemes.map((s) => (s.key === 'risk-band' ? edit(s) : s)),
});
const codes = (pack: unknown) => {
  const r = validatePolicyPack(pack, { authoring: true });
  return r.ok ? [] : r.errors.filter((e) => e.code === 'grade_disclosed').map((e) => [e.path, e.params]);
};
const band = defaultPolicyPack.schemes.find((s) => s.key === 'risk-band') as SchemeDefinition;
const policy = band.policy as Derived;

describe('a band read from a grade its readers may not read', () => {
  it('the default pack passes: 高风险 blends AML 中高, 高 and credit; 未评估 comes from AML 未评估, no sign-off level', () => {
    assert.deepEqual(codes(defaultPolicyPack), []);
  });

  it('a band level only AML 高 leads to is refused, though a credit grade its staff read leads to it too', () => {
    // 中高 to 中: 高风险 then comes from AML 高 or a poor credit grade. Staff read the credit grade, so
    // beside a sound one 高风险 is AML 高.
    const moved = { ...policy, map: { ...policy.map, 'medium-high': 'medium' } };
    const blended = withBand((b) => ({ ...b, policy: moved }));
    assert.deepEqual(codes(blended), [['schemes[6].policy.map', { level: 'high', scheme: 'aml-risk', from: ['high'] }]]);
    // The credit grade read by the same few as the AML grade hides which one it was: allowed.
    const hiddenCredit = {
      ...blended,
      schemes: blended.schemes.map((s) => (s.key === 'credit-rating' ? { ...s, readers: { roles: ['officer', 'approver', 'admin'] } } : s)),
    };
    assert.deepEqual(codes(hiddenCredit), []);
    // And without credit: 高风险 is AML 高 for everyone.
    const isolated = withBand((b) => ({ ...b, policy: { ...moved, alsoFrom: undefined } }));
    assert.deepEqual(codes(isolated), [['schemes[6].policy.map', { level: 'high', scheme: 'aml-risk', from: ['high'] }]]);
  });

  it('given the grade’s readers, the band discloses nothing new and passes; a stored pack loads either way', () => {
    const isolated = (readers?: SchemeDefinition['readers']) =>
      withBand((b) => ({
        ...b,
        ...(readers ? { readers } : {}),
        policy: { ...policy, map: { ...policy.map, 'medium-high': 'medium' }, alsoFrom: undefined },
      }));
    assert.equal(codes(isolated()).length, 1);
    assert.deepEqual(codes(isolated({ roles: ['officer', 'approver', 'admin'] })), []);
    assert.equal(validatePolicyPack(isolated()).ok, true, 'a version approved before the check keeps running');
  });

  it('a version of the grade that makes the band disclose it is refused on the band’s behalf; one the pack already had is not charged to it', () => {
    const aml = defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk') as SchemeDefinition;
    // 未评估 (no assessment) made a sign-off level: the band's 未评估, read from it alone, would be it.
    const signed = { ...aml, levels: aml.levels.map((v) => (v.key === 'unassessed' ? { ...v, approvalRequired: true } : v)) };
    const r = checkSchemeDocument(defaultPolicyPack, 'aml-risk', signed);
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? [] : r.errors.map((e) => [e.path, e.code, e.params?.inScheme, e.params?.level]), [
      ['document', 'grade_disclosed', 'risk-band', 'unassessed'],
    ]);
    // A band stored before the check that already isolates AML 高: an unrelated AML edit still passes.
    const stored = withBand((b) => ({ ...b, policy: { ...policy, map: { ...policy.map, 'medium-high': 'medium' }, alsoFrom: undefined } }));
    const renamed = { ...aml, name: { ...aml.name, en: 'AML grade' } };
    assert.equal(checkSchemeDocument(stored, 'aml-risk', renamed).ok, true);
  });
});
