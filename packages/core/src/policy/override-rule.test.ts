import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSchemeDocument,
  defaultPolicyPack,
  mayRequestOverride,
  overrideApproverNeeded,
  overrideExpiryProblem,
  overrideRuleOf,
  revocationApproverNeeded,
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
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'admin', maxDays: 30, looser: 'lower', loosenNeeds: 'approver' }), [
      ['document.overrides.loosenNeeds', 'invalid_value'],
    ]);
    // Without a direction a guard on loosening could guard the wrong side.
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'approver', maxDays: 30, loosenNeeds: 'admin' }), [
      ['document.overrides.looser', 'invalid_value'],
    ]);
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'approver', maxDays: 30, looser: 'sideways' }), [
      ['document.overrides.looser', 'invalid_value'],
    ]);
    assert.deepEqual(pathsOf({ requestedBy: 'none', approvedBy: 'admin', maxDays: null }), []);
  });

  it('is kept through validation, and a scheme without one keeps the rule every scheme had', () => {
    const r = validatePolicyPack(JSON.parse(JSON.stringify(defaultPolicyPack)));
    assert.ok(r.ok);
    const by = new Map(r.pack.schemes.map((s) => [s.key, overrideRuleOf(s)]));
    assert.deepEqual(by.get('aml-risk'), {
      requestedBy: 'tenant',
      approvedBy: 'approver',
      maxDays: 180,
      looser: 'lower',
      loosenNeeds: 'admin',
    });
    assert.deepEqual(by.get('credit-rating'), {
      requestedBy: 'tenant',
      approvedBy: 'approver',
      maxDays: 366,
      looser: 'higher',
      loosenNeeds: 'admin',
    });
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
    // A fixed level pins the grade from above too: any level but 高 can hold the customer low once the
    // data says 高, whatever the rules give today (nothing yet, or unassessed, which ranks below low).
    for (const l of ['unassessed', 'low', 'medium', 'medium-high'])
      assert.deepEqual(overrideApproverNeeded(rule, levels, l), { role: 'admin', loosens: true }, l);
    assert.deepEqual(overrideApproverNeeded(rule, levels, 'high'), { role: 'approver', loosens: false });
    // A floor on a grade that loosens downwards only ever raises it.
    assert.deepEqual(overrideApproverNeeded(rule, levels, 'medium', 'floor'), { role: 'approver', loosens: false });
    // No loosenNeeds: approvedBy for all.
    assert.deepEqual(overrideApproverNeeded({ ...rule, loosenNeeds: undefined }, levels, 'low'), { role: 'approver', loosens: false });

    // Revoking: the level left behind against the level held.
    assert.deepEqual(revocationApproverNeeded(rule, levels, 'high', 'low'), { role: 'admin', loosens: true });
    assert.deepEqual(revocationApproverNeeded(rule, levels, 'low', 'high'), { role: 'approver', loosens: false });
    assert.deepEqual(revocationApproverNeeded(rule, levels, 'high', undefined), { role: 'approver', loosens: false });
  });

  it('credit loosens upwards: a better grade is the bank’s riskier side', () => {
    const credit = defaultPolicyPack.schemes.find((x) => x.key === 'credit-rating');
    assert.ok(credit);
    const rule = overrideRuleOf(credit);
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'AAA'), { role: 'admin', loosens: true });
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'C'), { role: 'admin', loosens: true }, 'C fixed can hold a later NR');
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'NR'), { role: 'approver', loosens: false });
    // A floor at AAA holds the borrower at AAA whatever the score: the looser side.
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'AAA', 'floor'), { role: 'admin', loosens: true });
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'NR', 'floor'), { role: 'approver', loosens: false });
    // Revoking a C that holds a borrower the score calls AAA loosens; revoking an AAA over a C does not.
    assert.deepEqual(revocationApproverNeeded(rule, credit.levels, 'C', 'AAA'), { role: 'admin', loosens: true });
    assert.deepEqual(revocationApproverNeeded(rule, credit.levels, 'AAA', 'C'), { role: 'approver', loosens: false });
  });
});
