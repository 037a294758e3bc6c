import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * An adviser selling a wealth product must weigh a customer's age (65 and over, docs/domain.md §2):
 * the suitability check reads it from the date of birth the bank keeps as the `birthDate` attribute,
 * counted in the bank's calendar, and says so when it has none.
 */

interface Suit {
  suitable: boolean;
  age: number | null;
  reasons: { code: string; blocking: boolean }[];
}
interface Problem {
  errors?: { path?: string; line?: number; column?: string | null; code?: string; params?: Record<string, unknown> }[];
}

forEachDialect('suitability reads the customer’s age', (f) => {
  let t: FourEyesTenant;
  const customer = async (id: string, attributes?: Record<string, unknown>) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳', ...(attributes ? { attributes } : {}) });
  const assessed = (id: string) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
      metrics: [{ metric: 'risk_questionnaire_score', period: '2025-10', value: 60 }],
    });
  const check = async (id: string) => ok<Suit>(await t.req('viewer', 'GET', `/v1/subjects/${id}/suitability?product=R2`));
  const codes = (s: Suit) => s.reasons.map((r) => `${r.code}${r.blocking ? '!' : ''}`);

  before(async () => {
    t = await fourEyesTenant(f, 'fe-age', START);
  });

  it('65 on the birthday in the bank’s calendar, a non-blocking reason; 64 the day before, none', async () => {
    // START is 2025-11-15 12:00 in Shanghai.
    await ok(await customer('A65', { birthDate: '1960-11-15', branch: '上海分行' }), 201);
    await ok(await customer('A64', { birthDate: '1960-11-16' }), 201);
    for (const id of ['A65', 'A64']) await ok(await assessed(id));
    const old = await check('A65');
    assert.deepEqual([old.suitable, old.age, codes(old)], [true, 65, ['age-65-plus']]);
    const young = await check('A64');
    assert.deepEqual([young.suitable, young.age, codes(young)], [true, 64, []]);
    // 01:00 on 16 November in Shanghai is still the 15th in UTC: the bank's day counts.
    t.setClock(new Date('2025-11-15T17:00:00.000Z'));
    assert.equal((await check('A64')).age, 65);
    t.setClock(START);
  });

  it('without a date of birth the adviser is told age cannot be weighed; the sale is not blocked for it', async () => {
    await ok(await customer('NOAGE'), 201);
    await ok(await assessed('NOAGE'));
    const s = await check('NOAGE');
    assert.deepEqual([s.suitable, s.age, codes(s)], [true, null, ['age-unknown']]);
  });

  it('a date of birth that is none is refused with its code and changes nothing', async () => {
    await ok(await customer('BAD', { birthDate: '1970-05-01' }), 201);
    await ok(await assessed('BAD'));
    const refused = async (value: unknown, code: string, origin?: string) => {
      const res = await customer('BAD', { birthDate: value });
      const body = (await res.clone().json()) as Problem;
      await problem(res, 400, 'validation');
      const e = body.errors?.find((x) => x.path === 'attributes.birthDate');
      assert.equal(e?.code, code, JSON.stringify(body));
      if (origin) assert.equal(e?.params?.origin, origin);
    };
    await refused('1970-02-30', 'invalid_format');
    await refused('1970/05/01', 'invalid_format');
    await refused(19700501, 'invalid_format');
    await refused('1899-12-31', 'too_small', 'birth_date');
    await refused('2030-01-01', 'too_big', 'birth_date');
    assert.equal((await check('BAD')).age, 55);
    // A new customer with a bad date is not created.
    assert.equal((await customer('BADNEW', { birthDate: 'yesterday' })).status, 400);
    await problem(await t.req('viewer', 'GET', '/v1/subjects/BADNEW/suitability?product=R1'), 404, 'subject-not-found');
    // null clears it, as for any attribute.
    await ok(await customer('BAD', { birthDate: null }));
    assert.equal((await check('BAD')).age, null);
  });

  it('a subjects import with a birthDate column refuses a row whose date is none, naming line and column', async () => {
    const mapping = encodeURIComponent(JSON.stringify({ 客户号: 'id', 姓名: 'name', 出生日期: 'attr:birthDate' }));
    const upload = (csv: string) =>
      t.app.request(`/v1/imports?kind=subjects&mapping=${mapping}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.keys.admin}`, 'Content-Type': 'text/csv' },
        body: csv,
      });
    const rejected = await upload('客户号,姓名,出生日期\nIMP1,张三,1955-03-01\nIMP2,李四,1955-13-01\n');
    const body = (await rejected.clone().json()) as Problem;
    await problem(rejected, 422, 'import-rejected');
    assert.deepEqual(
      body.errors?.map((e) => [e.path, e.code]),
      [['line 3, column "出生日期"', 'invalid_format']],
    );
    await problem(await t.req('viewer', 'GET', '/v1/subjects/IMP1/suitability?product=R1'), 404, 'subject-not-found');
    await ok(await upload('客户号,姓名,出生日期\nIMP1,张三,1955-03-01\nIMP2,李四,\n'), 201);
    assert.equal((await ok<Suit>(await t.req('viewer', 'GET', '/v1/subjects/IMP1/suitability?product=R1'))).age, 70);
    assert.equal((await ok<Suit>(await t.req('viewer', 'GET', '/v1/subjects/IMP2/suitability?product=R1'))).age, null);
  });
});
