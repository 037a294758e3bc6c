import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSchemeDocument,
  defaultPolicyPack,
  mayRequestOverride,
  overrideApproverNeeded,
  overrideExpiryProblem,
  overrideJumpProblem,
  overrideRuleOf,
  revocationApproverNeeded,
  validatePolicyPack,
} from '../index.js';

const aml = () => {
  const s = defaultPolicyPack.schemes.find((x) => x.key === 'aml-risk');
  if (!s) throw new Error('no aml-risk in the default pack');
  return s;
};
// Without `loweringNeeds`, whose own check needs `overrides.order`: these cases test the override rule alone.
// biome-ignore lint/suspicious/noExplicitAny: a test breaks the raw JSON an administrator would send
const amlDocument = (overrides: unknown): any => {
  const { loweringNeeds: _, ...rest } = JSON.parse(JSON.stringify(aml()));
  return { ...rest, overrides };
};
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
    const order = ['high', 'medium-high', 'medium', 'low', 'unassessed'];
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'admin', maxDays: 30, order, loosenNeeds: 'approver' }), [
      ['document.overrides.loosenNeeds', 'invalid_value'],
    ]);
    // Without the order a guard on loosening could guard the wrong side.
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'approver', maxDays: 30, loosenNeeds: 'admin' }), [
      ['document.overrides.order', 'invalid_value'],
    ]);
    // Every level once: a level left out, named twice or unknown would leave its side unguarded.
    for (const bad of [order.slice(1), [...order, 'high'], [...order.slice(1), 'severe']])
      assert.deepEqual(
        pathsOf({ requestedBy: 'tenant', approvedBy: 'approver', maxDays: 30, order: bad }),
        [['document.overrides.order', 'invalid_value']],
        String(bad),
      );
    assert.deepEqual(pathsOf({ requestedBy: 'tenant', approvedBy: 'approver', maxDays: 30, order: 'lower' }), [
      ['document.overrides.order', 'invalid_type'],
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
      order: ['high', 'medium-high', 'medium', 'low', 'unassessed'],
      loosenNeeds: 'admin',
    });
    assert.deepEqual(by.get('credit-rating'), {
      requestedBy: 'tenant',
      approvedBy: 'approver',
      maxDays: 366,
      order: ['C', 'CC', 'CCC', 'B', 'BB', 'BBB', 'A', 'AA', 'AAA', 'NR'],
      loosenNeeds: 'admin',
    });
    assert.deepEqual(by.get('risk-band'), {
      requestedBy: 'tenant',
      approvedBy: 'approver',
      maxDays: 180,
      order: ['high', 'medium', 'unassessed', 'low'],
      loosenNeeds: 'admin',
    });
    assert.deepEqual(by.get('retail-tier'), { requestedBy: 'book', approvedBy: 'approver', maxDays: 366, maxStep: 1 });
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
    assert.equal(overrideExpiryProblem({ ...rule, maxDays: null }, null, now), undefined);

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
    assert.deepEqual(revocationApproverNeeded(rule, 'high', 'low'), { role: 'admin', loosens: true });
    assert.deepEqual(revocationApproverNeeded(rule, 'low', 'high'), { role: 'approver', loosens: false });
    assert.deepEqual(revocationApproverNeeded(rule, 'high', undefined), { role: 'approver', loosens: false });
  });

  it('credit loosens upwards from C, and NR — ranked lowest — is no strict grade', () => {
    const credit = defaultPolicyPack.schemes.find((x) => x.key === 'credit-rating');
    assert.ok(credit);
    const rule = overrideRuleOf(credit);
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'AAA'), { role: 'admin', loosens: true });
    // C is the strictest grade: held there, a borrower is never looser than their data.
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'C'), { role: 'approver', loosens: false });
    // NR reads as the low risk band, as AAA does: holding a defaulted borrower there is an admin's.
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'NR'), { role: 'admin', loosens: true });
    // A floor at AAA holds the borrower at AAA whatever the score: the looser side.
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'AAA', 'floor'), { role: 'admin', loosens: true });
    // A floor lifts only lower-ranked levels: at NR it lifts none, at C only NR (to a stricter grade).
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'NR', 'floor'), { role: 'approver', loosens: false });
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'C', 'floor'), { role: 'approver', loosens: false });
    assert.deepEqual(overrideApproverNeeded(rule, credit.levels, 'CC', 'floor'), { role: 'admin', loosens: true });
    // Revoking a C that holds a borrower the score calls AAA, or not rated, loosens; revoking an AAA over a C does not.
    assert.deepEqual(revocationApproverNeeded(rule, 'C', 'AAA'), { role: 'admin', loosens: true });
    assert.deepEqual(revocationApproverNeeded(rule, 'C', 'NR'), { role: 'admin', loosens: true });
    assert.deepEqual(revocationApproverNeeded(rule, 'AAA', 'C'), { role: 'approver', loosens: false });
  });

  it('the risk band follows its stated order, not its ranks: unassessed (rank 1) is stricter than low (rank 0)', () => {
    const band = defaultPolicyPack.schemes.find((x) => x.key === 'risk-band');
    assert.ok(band);
    const rule = overrideRuleOf(band);
    assert.deepEqual(overrideApproverNeeded(rule, band.levels, 'low'), { role: 'admin', loosens: true });
    assert.deepEqual(overrideApproverNeeded(rule, band.levels, 'high'), { role: 'approver', loosens: false });
    // A floor at unassessed lifts a low band to a stricter one; it never clears anyone.
    assert.deepEqual(overrideApproverNeeded(rule, band.levels, 'unassessed', 'floor'), { role: 'approver', loosens: false });
    assert.deepEqual(revocationApproverNeeded(rule, 'unassessed', 'low'), { role: 'admin', loosens: true });
    assert.deepEqual(revocationApproverNeeded(rule, 'low', 'unassessed'), { role: 'approver', loosens: false });
  });
});

describe('the card tier’s bound (`maxStep`, `maxDays`) in the default pack', () => {
  const retail = () => {
    const s = defaultPolicyPack.schemes.find((x) => x.key === 'retail-tier');
    if (!s) throw new Error('no retail-tier in the default pack');
    return s;
  };

  it('moves one tier at most: 普通 → 钻石卡 is three, refused; a fixed level may not drop two either; a floor at or below the level now moves nobody', () => {
    const rule = overrideRuleOf(retail());
    const levels = retail().levels;
    assert.deepEqual(overrideJumpProblem(rule, levels, 'standard', 'diamond'), {
      code: 'override_jump_too_far',
      maxStep: 1,
      steps: 3,
      from: 'standard',
    });
    assert.equal(overrideJumpProblem(rule, levels, 'standard', 'gold'), undefined);
    assert.equal(overrideJumpProblem(rule, levels, 'diamond', 'gold', 'fixed')?.steps, 2);
    assert.equal(overrideJumpProblem(rule, levels, 'diamond', 'gold', 'floor'), undefined);
    assert.equal(overrideJumpProblem(rule, levels, 'standard', 'platinum', 'floor')?.steps, 2);
    // No level yet: nothing to step from.
    assert.equal(overrideJumpProblem(rule, levels, undefined, 'diamond'), undefined);
    // A scheme without the bound: none.
    assert.equal(overrideJumpProblem(overrideRuleOf(aml()), aml().levels, 'unassessed', 'high'), undefined);
  });

  it('needs an expiry within 366 days, and the bound is a valid pack field (1..100)', () => {
    const now = new Date('2026-12-05T00:00:00.000Z');
    const rule = overrideRuleOf(retail());
    assert.equal(overrideExpiryProblem(rule, null, now)?.code, 'expiry_required');
    assert.equal(overrideExpiryProblem(rule, '2036-12-05T00:00:00.000Z', now)?.code, 'expiry_too_late');
    assert.equal(overrideExpiryProblem(rule, '2027-06-05T00:00:00.000Z', now), undefined);
    const bad = { ...JSON.parse(JSON.stringify(retail())), overrides: { ...rule, maxStep: 0 } };
    assert.equal(checkSchemeDocument(defaultPolicyPack, 'retail-tier', bad).ok, false);
  });
});
