import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSchemeDocument,
  defaultPolicyPack,
  mayRequestOverride,
  overrideApproverNeeded,
  overrideExpiryProblem,
  overrideRuleOf,
  validatePolicyPack,
} from '../index.js';

const aml = () => {
  const s = defaultPolicyPack.schemes.find((x) => x.key === 'aml-risk');
  if (!s) throw new Error('no aml-risk in the default pack');
  return s;
};
// biome-ignore lint/suspicious/noExplicitAny: a test breaks the raw JSON an administrator would send
const amlDocument = (overrides: unknown): any => ({ ...JSON.parse(JSON.stringify(aml())), overrides });
const pathsOf = (overrides: unknown) => {
  const r = checkSchemeDocument(defaultPolicyPack, 'aml-risk', amlDocument(overrides));
  return r.ok ? [] : r.errors.map((e) => [e.path, e.code]);
};

describe('a scheme’s rule for overrides (`overrides`)', () => {
  it('is validated with the field named', () => {
    assert.deepEqual(pathsOf({ requestedBy: 'rm', approvedBy: 'approver', maxDays: null }), [
      ['document.overrides.requestedBy', 'invalid_value'],
    ]);
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'approver', maxDays: 0 }), [['document.overrides.maxDays', 'too_small']]);
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'approver' }), [['document.overrides.maxDays', 'invalid_type']]);
    // A loosening override needs at least whoever approves any override of the scheme.
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'admin', maxDays: 30, lowerNeeds: 'approver' }), [
      ['document.overrides.lowerNeeds', 'invalid_value'],
    ]);
    assert.deepEqual(pathsOf({ requestedBy: 'none', approvedBy: 'admin', maxDays: null }), []);
  });

  it('is kept through validation, and a scheme without one keeps the rule every scheme had', () => {
    const r = validatePolicyPack(JSON.parse(JSON.stringify(defaultPolicyPack)));
    assert.ok(r.ok);
    const by = new Map(r.pack.schemes.map((s) => [s.key, overrideRuleOf(s)]));
    assert.deepEqual(by.get('aml-risk'), { requestedBy: 'tenant', approvedBy: 'approver', maxDays: 180, lowerNeeds: 'admin' });
    assert.equal(by.get('credit-rating')?.requestedBy, 'tenant');
    assert.deepEqual(by.get('retail-tier'), { requestedBy: 'book', approvedBy: 'approver', maxDays: null });
    // Every staff classification of the default pack is out of a relationship manager's hands.
    for (const s of r.pack.schemes.filter((x) => x.audience === 'staff')) assert.equal(by.get(s.key)?.requestedBy, 'tenant', s.key);
  });

  it('says who may file, how long an override may run, and who approves one that loosens the grade', () => {
    const rule = overrideRuleOf(aml());
    assert.equal(mayRequestOverride(rule, { role: 'officer', bookScoped: true }), false);
    assert.equal(mayRequestOverride(rule, { role: 'officer', bookScoped: false }), true);
    assert.equal(mayRequestOverride(rule, { role: 'analyst', bookScoped: false }), false);
    assert.equal(mayRequestOverride({ ...rule, requestedBy: 'none' }, { role: 'admin', bookScoped: false }), false);

    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(overrideExpiryProblem(rule, null, now)?.code, 'expiry_required');
    assert.equal(overrideExpiryProblem(rule, '2026-06-30T00:00:00.001Z', now)?.code, 'expiry_too_late');
    assert.equal(overrideExpiryProblem(rule, '2026-06-30T00:00:00.000Z', now), undefined);
    assert.equal(overrideExpiryProblem(overrideRuleOf(defaultPolicyPack.schemes[0]!), null, now), undefined);

    const levels = aml().levels;
    assert.deepEqual(overrideApproverNeeded(rule, levels, 'low', 'high'), { role: 'admin', loosens: true });
    assert.deepEqual(overrideApproverNeeded(rule, levels, 'high', 'medium'), { role: 'approver', loosens: false });
    // Off a level that needs its own sign-off is loosening, whichever way the ranks go.
    assert.deepEqual(
      overrideApproverNeeded(rule, [...levels.slice(0, 4), { ...levels[2]!, key: 'x', rank: 9 }, { ...levels[4]!, rank: 5 }], 'x', 'high'),
      { role: 'admin', loosens: true },
    );
    assert.deepEqual(overrideApproverNeeded(rule, levels, 'low', undefined), { role: 'approver', loosens: false });
    // A floor below the rules' grade holds nothing down: the rules' grade stands.
    assert.deepEqual(overrideApproverNeeded(rule, levels, 'low', 'high', 'floor'), { role: 'approver', loosens: false });
  });
});
