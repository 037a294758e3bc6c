import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, validatePolicyPack } from '../index.js';

// biome-ignore lint/suspicious/noExplicitAny: a test writes the raw JSON a scheme author sends
function pack(change: (doc: any) => void): any {
  const doc = JSON.parse(JSON.stringify(defaultPolicyPack));
  change(doc);
  return doc;
}
const codes = (doc: unknown) => {
  const r = validatePolicyPack(doc, { authoring: true });
  return r.ok ? [] : r.errors.map((e) => [e.path, e.code, e.params?.scheme ?? e.params?.level]);
};
const at = (doc: { schemes: { key: string }[] }, key: string) => doc.schemes.findIndex((s) => s.key === key);

describe('the schemes suitability reads', () => {
  it('refuses a second product suitability scheme, naming the one suitability reads', () => {
    const doc = pack((d) => {
      const copy = JSON.parse(JSON.stringify(d.schemes[at(d, 'product-risk')]));
      d.schemes.push({ ...copy, key: 'product-risk-2', policy: { ...copy.policy, id: 'product-risk-2' } });
    });
    assert.deepEqual(codes(doc), [[`schemes[${doc.schemes.length - 1}].category`, 'suitability_taken', 'product-risk']]);
  });

  it('refuses a level suitability cannot read or ranks out of order, and takes a lowest level for "not rated"', () => {
    const renamed = pack((d) => {
      d.schemes[at(d, 'risk-tolerance')].levels[2].key = 'balanced';
    });
    const i = at(renamed, 'risk-tolerance');
    assert.deepEqual(
      codes(renamed).filter(([, code]) => code === 'suitability_level'),
      [[`schemes[${i}].levels[2].key`, 'suitability_level', 'balanced']],
    );
    const swapped = pack((d) => {
      const levels = d.schemes[at(d, 'product-risk')].levels;
      [levels[1].key, levels[2].key] = [levels[2].key, levels[1].key];
    });
    assert.ok(codes(swapped).some(([, code, level]) => code === 'suitability_level' && level === 'R1'));
    // product-risk's `unrated` is its lowest level: the default pack passes.
    assert.deepEqual(codes(pack(() => {})), []);
  });
});
