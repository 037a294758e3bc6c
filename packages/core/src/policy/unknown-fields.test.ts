import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchemeDocument, defaultPolicyPack, formatPolicyErrors, validatePolicyPack } from '../index.js';
import { nearestName } from './unknown-fields.js';

/** A scheme of the default pack as the JSON an analyst would send. */
// biome-ignore lint/suspicious/noExplicitAny: a test mutates the raw JSON an administrator would send
function scheme(key: string): any {
  const s = defaultPolicyPack.schemes.find((d) => d.key === key);
  if (!s) throw new Error(`no scheme ${key}`);
  return JSON.parse(JSON.stringify(s));
}
const errorsOf = (key: string, doc: unknown) => {
  const r = checkSchemeDocument(defaultPolicyPack, key, doc);
  assert.equal(r.ok, false, 'the document should be refused');
  return r.ok ? [] : r.errors;
};

describe('a scheme document with fields the format does not know', () => {
  it('accepts every scheme of the default pack as a new version', () => {
    for (const s of defaultPolicyPack.schemes) {
      const r = checkSchemeDocument(defaultPolicyPack, s.key, JSON.parse(JSON.stringify(s)));
      assert.equal(r.ok, true, r.ok ? '' : `${s.key}: ${formatPolicyErrors(r.errors)}`);
    }
  });

  it('refuses a misspelt optional field at every level, naming its path and the field it likely means', () => {
    const doc = scheme('aml-risk');
    doc.levels[2].approvalrequired = true;
    doc.policy.nte = 'why';
    doc.overrides.maxday = 30;
    const benefitLevel = Object.keys(doc.entitlements)[0] as string;
    doc.entitlements[benefitLevel][0].lable = doc.name;
    const errors = errorsOf('aml-risk', doc);
    const unknown = errors.filter((e) => e.code === 'unknown_field');
    assert.deepEqual(
      unknown.map((e) => `${e.path} → ${e.params?.suggestion}`).sort(),
      [
        'document.levels[2].approvalrequired → approvalRequired',
        'document.policy.nte → note',
        `document.entitlements.${benefitLevel}[0].lable → label`,
        'document.overrides.maxday → maxDays',
      ].sort(),
    );
    const slip = unknown.find((e) => e.path === 'document.levels[2].approvalrequired');
    assert.match(slip?.message ?? '', /did you mean "approvalRequired"/);
  });

  it('walks conditions, factors and tagged unions by their kind', () => {
    const doc = scheme('retail-tier');
    doc.policy.levels[0].when = { kind: 'all', of: [{ kind: 'threshold', metric: 'avg_daily_balance', op: 'gte', value: 1, windw: null }] };
    const errors = errorsOf('retail-tier', doc);
    assert.deepEqual(
      errors.map((e) => [e.path, e.code]),
      [['document.policy.levels[0].when.of[0].windw', 'unknown_field']],
    );
  });

  it('gives no suggestion for a name nothing known is near', () => {
    assert.equal(nearestName('colour', ['key', 'rank', 'name', 'color']), 'color');
    assert.equal(nearestName('somethingelse', ['key', 'rank', 'name', 'color']), undefined);
  });

  it('still loads a stored pack with an unknown field (refusing it would take the tenant down)', () => {
    const pack = JSON.parse(JSON.stringify(defaultPolicyPack));
    pack.schemes[0].levels[0].approvalrequired = true;
    assert.equal(validatePolicyPack(pack).ok, true);
    assert.equal(validatePolicyPack(pack, { authoring: true }).ok, false);
  });
});

describe('one answer with every error the document allows', () => {
  it('reports shape errors, unknown fields and semantic errors of the parts that parsed together', () => {
    const doc = scheme('retail-tier');
    doc.levels[1].color = 'purple';
    doc.levels[2].approvalrequired = true;
    doc.policy.levels[0].when = { kind: 'threshold', metric: 'avg_daily_balanse', op: 'gte', value: 1 };
    doc.policy.triggers = [{ id: 't', label: doc.name, level: 'nosuch', when: { kind: 'threshold', metric: 'pep', op: 'eq', value: 1 } }];
    const errors = errorsOf('retail-tier', doc);
    const codes = errors.map((e) => `${e.path} ${e.code}`);
    assert.ok(codes.includes('document.levels[1].color invalid_value'), codes.join('\n'));
    assert.ok(codes.includes('document.levels[2].approvalrequired unknown_field'), codes.join('\n'));
    assert.ok(codes.includes('document.policy.levels[0].when.metric unknown_metric'), codes.join('\n'));
    assert.ok(codes.includes('document.policy.triggers[0].level unknown_level'), codes.join('\n'));
    // Shape errors first, as a reader fixes them.
    assert.equal(errors[0]?.code, 'invalid_value');
  });

  it('does not echo a shape error as a semantic one (a matrix that did not parse is not also "missing")', () => {
    const doc = scheme('risk-value');
    doc.matrix.rows = 'low';
    const errors = errorsOf('risk-value', doc);
    assert.deepEqual(
      errors.map((e) => [e.path, e.code]),
      [['document.matrix.rows', 'invalid_type']],
    );
  });
});
