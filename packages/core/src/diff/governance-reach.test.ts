import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, diffSchemes, governanceWeakenings, mayReadScheme, policyPackSchema, type SchemeDefinition } from '../index.js';

const aml = defaultPolicyPack.schemes.find((s) => s.key === 'aml-risk') as SchemeDefinition;
const tier = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier') as SchemeDefinition;
const keys = (before: SchemeDefinition, after: SchemeDefinition) => governanceWeakenings(before, after).map((c) => [c.key, c.change]);
const score = aml.policy as Extract<SchemeDefinition['policy'], { kind: 'score' }>;
const withPolicy = (p: Partial<typeof score>): SchemeDefinition => ({ ...aml, policy: { ...score, ...p } });

describe('an AML rule made harder to reach or blocking less is a weakening; a strengthening is not', () => {
  it('the 高 band floor raised is one change, in three languages; lowered is none', () => {
    const up = withPolicy({ bands: score.bands.map((b) => (b.level === 'high' ? { ...b, min: 90 } : b)) });
    assert.deepEqual(keys(aml, up), [['reach:band:high', 'changed']]);
    assert.deepEqual(governanceWeakenings(aml, up)[0]?.text, {
      'zh-CN': '复核等级 高 分数下限: 75 → 90',
      'zh-TW': '複核等級 高 分數下限: 75 → 90',
      en: 'sign-off level High score floor: 75 → 90',
    });
    const down = withPolicy({ bands: score.bands.map((b) => (b.level === 'high' ? { ...b, min: 60 } : b)) });
    assert.deepEqual(keys(aml, down), []);
    // A band below the sign-off level moving is no sign-off's business.
    const mid = withPolicy({ bands: score.bands.map((b) => (b.level === 'medium' ? { ...b, min: 45 } : b)) });
    assert.deepEqual(keys(aml, mid), []);
  });

  it('the PEP trigger removed, or its threshold raised, is a change; lowered is none', () => {
    const triggers = score.triggers ?? [];
    assert.deepEqual(keys(aml, withPolicy({ triggers: triggers.filter((x) => x.id !== 'pep') })), [['reach:trigger:pep', 'removed']]);
    const moved = (value: number) =>
      withPolicy({
        triggers: triggers.map((x) => (x.id === 'pep' && x.when.kind === 'threshold' ? { ...x, when: { ...x.when, value } } : x)),
      });
    assert.deepEqual(keys(aml, moved(2)), [['reach:trigger:pep', 'changed']]);
    assert.deepEqual(keys(aml, moved(0)), []);
    // Pointed at a level without sign-off, it no longer leads to 高 — and, deciding before the band, it
    // now takes a PEP scoring 75 or more from 高 too (governance-precedence.ts).
    const elsewhere = withPolicy({ triggers: triggers.map((x) => (x.id === 'pep' ? { ...x, level: 'medium-high' } : x)) });
    assert.deepEqual(keys(aml, elsewhere), [
      ['reach:trigger:pep', 'removed'],
      ['precedence:band:high', 'changed'],
    ]);
  });

  it('a 高 restriction blocking less, or gone, is a change; blocking more is none', () => {
    const ents = aml.entitlements ?? {};
    const high = ents.high ?? [];
    const blocks = (b: string[]) => ({
      ...aml,
      entitlements: { ...ents, high: high.map((e) => (e.kind === 'restriction' ? { ...e, blocks: b } : e)) },
    });
    assert.deepEqual(keys(aml, blocks(['non-counter-transfer-limit', 'priority-lane'])), [
      ['blocks:high/enhanced-due-diligence', 'changed'],
    ]);
    assert.match(
      governanceWeakenings(aml, blocks(['priority-lane']))[0]?.text.en ?? '',
      /no longer blocks non-counter-transfer-limit, fee-waiver-transfer/,
    );
    assert.deepEqual(keys(aml, blocks(['non-counter-transfer-limit', 'priority-lane', 'fee-waiver-transfer', 'lounge'])), []);
    assert.deepEqual(keys(aml, { ...aml, entitlements: { ...ents, high: [] } }), [['blocks:high/enhanced-due-diligence', 'removed']]);
  });

  it('a scheme without sign-off levels is not held to it (a tier band raised is the ordinary approver’s)', () => {
    const p = tier.policy;
    assert.equal(
      tier.levels.some((v) => v.approvalRequired === true),
      false,
    );
    const after: SchemeDefinition =
      p.kind === 'score' ? { ...tier, policy: { ...p, bands: p.bands.map((b) => ({ ...b, min: b.min + 1 })) } } : tier;
    assert.deepEqual(keys(tier, after), []);
  });
});

describe('who reads an AML grade', () => {
  it('the default pack: officers, approvers, admins tenant-wide; no viewer, analyst, relationship manager or embedder', () => {
    assert.deepEqual(aml.readers, { roles: ['officer', 'approver', 'admin'] });
    const may = (role: string, bookScoped = false) => mayReadScheme(aml, { role, bookScoped });
    assert.deepEqual(
      [may('viewer'), may('analyst'), may('officer'), may('approver'), may('admin'), may('officer', true), may('embedder')],
      [false, false, true, true, true, false, false],
    );
    assert.equal(mayReadScheme(tier, { role: 'viewer', bookScoped: true }), true);
    assert.equal(mayReadScheme({ ...aml, readers: { roles: ['officer'], books: true } }, { role: 'officer', bookScoped: true }), true);
  });

  it('widening readers is a weakening, narrowing is not; the scheme diff shows either', () => {
    const to = (readers: SchemeDefinition['readers']): SchemeDefinition => {
      const { readers: _r, ...rest } = aml;
      return readers === undefined ? rest : { ...rest, readers };
    };
    assert.deepEqual(keys(aml, to({ roles: ['viewer', 'officer', 'approver', 'admin'] })), [['readers', 'changed']]);
    assert.deepEqual(keys(aml, to({ roles: ['officer', 'approver', 'admin'], books: true })), [['readers', 'changed']]);
    assert.deepEqual(keys(aml, to(undefined)), [['readers', 'removed']]);
    assert.deepEqual(
      governanceWeakenings(aml, to(undefined))[0]?.text.en,
      'staff who read its levels: officer, approver, admin → all staff',
    );
    assert.deepEqual(keys(aml, to({ roles: ['approver', 'admin'] })), []);
    assert.deepEqual(keys(tier, { ...tier, readers: { roles: ['admin'] } }), []);
    const diff = diffSchemes(aml, to({ roles: ['approver', 'admin'] }), defaultPolicyPack.metrics);
    assert.ok(
      diff.some((c) => c.key === 'readers'),
      JSON.stringify(diff.map((c) => c.key)),
    );
  });

  it('the pack schema takes readers with known roles, each once, and refuses the rest', () => {
    const pack = (readers: unknown) => ({ ...defaultPolicyPack, schemes: [{ ...aml, readers }] });
    assert.equal(policyPackSchema.safeParse(pack({ roles: ['admin'], books: true })).success, true);
    assert.equal(policyPackSchema.safeParse(pack({ roles: [] })).success, false);
    assert.equal(policyPackSchema.safeParse(pack({ roles: ['admin', 'admin'] })).success, false);
    assert.equal(policyPackSchema.safeParse(pack({ roles: ['auditor'] })).success, false);
    assert.equal(policyPackSchema.safeParse(pack({ roles: ['admin'], extra: 1 })).success, false);
  });
});
