import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Problem } from '@tierkit/core';
import { client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * A level's customer face (docs/policy-format.md, "Levels"): how a customer scheme's level reads to its
 * customers. On a staff scheme no customer reads it, so it is refused (customer_only), as is a face by
 * the name another level has (duplicate); a refused submit leaves the draft as it was.
 */

const name = (zh: string, tw: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': tw, en });
const BASIC = { name: name('基础', '基礎', 'Basic'), color: 'neutral' };
const scheme = (audience: 'customer' | 'staff', face: object) => ({
  key: 'deposit-care',
  subjectKind: 'customer',
  category: 'value',
  audience,
  name: name('存款关怀', '存款關懷', 'deposit care'),
  levels: [
    { key: 'watch', rank: 0, name: name('关注', '關注', 'Watch'), color: 'danger', customer: face },
    { key: 'standard', rank: 1, name: name('标准', '標準', 'Standard'), color: 'neutral' },
  ],
  policy: {
    id: 'deposit-care',
    version: 1,
    kind: 'rules',
    levels: [{ level: 'standard', when: { kind: 'threshold', metric: 'avg_daily_balance', window: null, op: 'gte', value: 100 } }],
  },
});

async function json<T>(res: Response, status: number): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

forEachDialect('a level’s customer face is a customer scheme’s, by a name of its own', (f: ApiFixture) => {
  const officer = client(f, () => f.keys.roles.officer);

  it('staff scheme: 400 customer_only; a face by another level’s name: 400 duplicate; the draft unchanged; then submitted', async () => {
    const draft = await json<{ version: number }>(
      await officer.post('/v1/policies/deposit-care/drafts', { document: scheme('staff', BASIC) }),
      201,
    );
    const at = `/v1/policies/deposit-care/versions/${draft.version}`;
    const refused = await json<Problem>(await officer.post(`${at}/submit`, {}), 400);
    assert.deepEqual(
      refused.errors?.map((e) => [e.path, e.code, e.params?.field, e.params?.level]),
      [['document.levels[0].customer', 'customer_only', 'customer', 'watch']],
    );
    assert.equal((await json<{ status: string }>(await officer.get(at), 200)).status, 'draft', 'a refusal changes nothing');

    await json(await officer.put(at, { document: scheme('customer', { name: name('标准', '標準', 'Standard'), color: 'neutral' }) }), 200);
    const twice = await json<Problem>(await officer.post(`${at}/submit`, {}), 400);
    assert.deepEqual(
      twice.errors?.map((e) => [e.path, e.code, e.params?.level, e.params?.of]),
      [['document.levels[0].customer.name', 'duplicate', 'watch', 'customer']],
    );

    await json(await officer.put(at, { document: scheme('customer', BASIC) }), 200);
    assert.equal((await json<{ status: string }>(await officer.post(`${at}/submit`, {}), 200)).status, 'submitted');
  });
});
