import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { defaultPolicyPack } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * The scheme author's second product suitability scheme was accepted and silently ignored (suitability
 * reads the first), and level keys other than C1–C5 / R1–R5 read as no assessment: both are a 400 at submit.
 */

interface Problem {
  type: string;
  errors?: { path: string; code: string; params?: Record<string, unknown> }[];
}

forEachDialect('the schemes suitability reads are checked at submit', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'fe-suit', START);
  });
  const scheme = (key: string) => JSON.parse(JSON.stringify(defaultPolicyPack.schemes.find((s) => s.key === key)));
  async function submit(key: string, document: unknown): Promise<Response> {
    const draft = await ok<{ version: number }>(await t.req('officer', 'POST', `/v1/policies/${key}/drafts`, { document }), 201);
    return t.req('officer', 'POST', `/v1/policies/${key}/versions/${draft.version}/submit`, {});
  }

  it('a second product suitability scheme: 400 suitability_taken naming product-risk', async () => {
    const second = { ...scheme('product-risk'), key: 'product-risk-b' };
    second.policy = { ...second.policy, id: 'product-risk-b', version: 1 };
    const res = await submit('product-risk-b', second);
    assert.equal(res.status, 400, await res.clone().text());
    const body = (await res.json()) as Problem;
    assert.deepEqual(
      body.errors?.map((e) => [e.path, e.code, e.params?.scheme]),
      [['document.category', 'suitability_taken', 'product-risk']],
    );
  });

  it('a risk-tolerance version naming a level “balanced”: 400 suitability_level; named C3 it is submitted', async () => {
    const doc = scheme('risk-tolerance');
    doc.levels[2].key = 'balanced';
    doc.policy.levels[1].level = 'balanced';
    const res = await submit('risk-tolerance', doc);
    assert.equal(res.status, 400, await res.clone().text());
    const body = (await res.json()) as Problem;
    assert.deepEqual(
      body.errors?.map((e) => [e.path, e.code, e.params?.level]),
      [['document.levels[2].key', 'suitability_level', 'balanced']],
    );
    const fine = await submit('risk-tolerance', scheme('risk-tolerance'));
    assert.equal(fine.status, 200, await fine.clone().text());
  });
});
