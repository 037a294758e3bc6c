import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyPack, formatPolicyErrors, validatePolicyPack } from '../index.js';

/** The default pack with product-risk's rules replaced by `when` per level R1–R5. */
// biome-ignore lint/suspicious/noExplicitAny: a test writes the raw JSON a scheme author sends
function productRisk(whens: Record<string, unknown>, triggers?: unknown[]): { doc: any; i: number } {
  const doc = JSON.parse(JSON.stringify(defaultPolicyPack));
  const i = doc.schemes.findIndex((s: { key: string }) => s.key === 'product-risk');
  doc.schemes[i].policy.levels = Object.entries(whens).map(([level, when]) => ({ level, when }));
  if (triggers) doc.schemes[i].policy.triggers = triggers;
  return { doc, i };
}
const cls = (op: string, value: number) => ({ kind: 'threshold', metric: 'product_risk_class', window: null, op, value });
const errorsOf = (doc: unknown) => {
  const r = validatePolicyPack(doc, { authoring: true });
  return r.ok ? [] : r.errors;
};

describe('a level no subject can reach', () => {
  it('refuses R2 ≥ 2 under R3 ≥ 2, naming the level and the rule that takes its subjects', () => {
    const { doc, i } = productRisk({ R1: cls('gte', 1), R2: cls('gte', 2), R3: cls('gte', 2), R4: cls('gte', 4), R5: cls('gte', 5) });
    const errors = errorsOf(doc);
    assert.deepEqual(
      errors.map((e) => [e.path, e.code, e.params?.level, e.params?.otherLevel]),
      [[`schemes[${i}].policy.levels[1].level`, 'unreachable_level', 'R2', 'R3']],
    );
  });

  it('refuses a lower rule that implies a higher one across operators and inside an all-of', () => {
    const gt = productRisk({ R1: cls('gte', 1), R2: cls('gt', 2), R3: cls('gte', 3), R4: cls('gte', 4), R5: cls('gte', 5) });
    // R2 > 2 and R3 ≥ 3 read the same integers, but a windowed average need not be one: not proven.
    assert.deepEqual(errorsOf(gt.doc), []);
    const eq = productRisk({ R1: cls('gte', 1), R2: cls('eq', 3), R3: cls('gte', 3), R4: cls('gte', 4), R5: cls('gte', 5) });
    assert.deepEqual(
      errorsOf(eq.doc).map((e) => e.params?.level),
      ['R2'],
    );
    const all = productRisk({
      R1: cls('gte', 1),
      R2: { kind: 'all', of: [cls('gte', 2), { kind: 'threshold', metric: 'product_risk_class', window: null, op: 'eq', value: 2 }] },
      R3: cls('gte', 2),
      R4: cls('gte', 4),
      R5: cls('gte', 5),
    });
    assert.deepEqual(
      errorsOf(all.doc).map((e) => [e.code, e.params?.level]),
      [['unreachable_level', 'R2']],
    );
  });

  it('keeps what is not proven dead: an any-of, a level a trigger sets, the default pack', () => {
    const r = validatePolicyPack(JSON.parse(JSON.stringify(defaultPolicyPack)), { authoring: true });
    assert.equal(r.ok, true, r.ok ? '' : formatPolicyErrors(r.errors));
    const anyOf = productRisk({
      R1: cls('gte', 1),
      R2: { kind: 'any', of: [cls('gte', 2), cls('eq', 0)] },
      R3: cls('gte', 2),
      R4: cls('gte', 4),
      R5: cls('gte', 5),
    });
    assert.deepEqual(errorsOf(anyOf.doc), []);
    const triggered = productRisk({ R1: cls('gte', 1), R2: cls('gte', 2), R3: cls('gte', 2), R4: cls('gte', 4), R5: cls('gte', 5) }, [
      { id: 'hold', level: 'R2', when: cls('eq', 9), label: { 'zh-CN': '暂停', 'zh-TW': '暫停', en: 'held' } },
    ]);
    assert.deepEqual(errorsOf(triggered.doc), []);
  });
});
