import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Problem } from '@tierkit/core';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/* The scheme author's product-risk v3: R2 ≥ 2 under R3 ≥ 2 leaves R2 to no product (a 400 naming R2). */

const name = (zh: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': zh, en });
const cls = (value: number) => ({ kind: 'threshold', metric: 'product_risk_class', window: null, op: 'gte', value });
const productRisk = (lines: Record<string, number>) => ({
  key: 'shelf-risk',
  subjectKind: 'product',
  category: 'risk',
  audience: 'staff',
  name: name('货架风险', 'shelf risk'),
  levels: ['R0', 'R1', 'R2', 'R3'].map((key, rank) => ({ key, rank, name: name(key, key), color: 'neutral' })),
  policy: {
    id: 'shelf-risk',
    version: 1,
    kind: 'rules',
    levels: Object.entries(lines).map(([level, v]) => ({ level, when: cls(v) })),
  },
});

async function json<T>(res: Response, status: number): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

forEachDialect('a rules level no subject can reach is refused at submit', (f: ApiFixture) => {
  const officer = client(f, () => f.keys.roles.officer);

  it('R2 ≥ 2 under R3 ≥ 2: 400 unreachable_level naming R2 and R3; R2 ≥ 2 under R3 ≥ 3 is submitted', async () => {
    const draft = await json<{ version: number }>(
      await officer.post('/v1/policies/shelf-risk/drafts', { document: productRisk({ R1: 1, R2: 2, R3: 2 }) }),
      201,
    );
    const body = await json<Problem>(await officer.post(`/v1/policies/shelf-risk/versions/${draft.version}/submit`, {}), 400);
    assert.deepEqual(
      body.errors?.map((e) => [e.path, e.code, e.params?.level, e.params?.otherLevel]),
      [['document.policy.levels[1].level', 'unreachable_level', 'R2', 'R3']],
    );
    await json(
      await officer.put(`/v1/policies/shelf-risk/versions/${draft.version}`, { document: productRisk({ R1: 1, R2: 2, R3: 3 }) }),
      200,
    );
    const ok = await json<{ status: string }>(await officer.post(`/v1/policies/shelf-risk/versions/${draft.version}/submit`, {}), 200);
    assert.equal(ok.status, 'submitted');
  });
});
