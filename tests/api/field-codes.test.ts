import assert from 'node:assert/strict';
import { it } from 'node:test';
import iconv from 'iconv-lite';
import type { ProblemFieldError } from '@tierkit/core';
import { authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

/*
 * Every field error the API's own checks make carries a stable code and the params its words need
 * (packages/api README, "Errors"), so a host can say it in zh-CN or zh-TW without reading the English.
 */

/** The field error at `path` of the problem `res` is, as `[code, params]`. */
async function codeAt(res: Response | Promise<Response>, status: number, path: string): Promise<[unknown, unknown]> {
  const p = await problem(await res, status);
  const e: ProblemFieldError | undefined = p.errors?.find((x) => x.path === path);
  assert.ok(e, `${path} in ${JSON.stringify(p.errors)}`);
  assert.ok(e.message, 'the English stays beside the code');
  return [e.code, e.params];
}

function upload(f: ApiFixture, query: string, body: string | Uint8Array, contentType = 'text/csv') {
  return f.app.request(`/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, ...authHeader(f) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

forEachDialect('the API’s own field checks carry a code and params', (f) => {
  const api = client(f);

  it('metrics: an unknown metric, a month not begun or not a month, money below 0, a flag above 1, the same metric and month twice', async () => {
    await api.customer('FC1');
    const put = () =>
      api.put('/v1/subjects/FC1/metrics', {
        metrics: [
          { metric: 'no_such_metric', period: '2025-10', value: 1 },
          { metric: 'avg_daily_balance', period: '2025-10', value: -5 },
          { metric: 'premium_card', period: '2025-09', value: 2 },
          { metric: 'avg_daily_balance', period: '2026-01', value: 1 },
          { metric: 'avg_daily_balance', period: '2025-10', value: 7 },
          { metric: 'avg_daily_balance', period: '1999-12', value: 7 },
        ],
      });
    const [unknown, params] = await codeAt(put(), 400, 'metrics[0].metric');
    assert.equal(unknown, 'unknown_metric');
    assert.equal((params as { metric: string }).metric, 'no_such_metric');
    assert.ok((params as { known: string[] }).known.includes('avg_daily_balance'));
    assert.deepEqual(await codeAt(put(), 400, 'metrics[1].value'), [
      'too_small',
      { minimum: 0, inclusive: true, origin: 'money', metric: 'avg_daily_balance' },
    ]);
    assert.deepEqual(await codeAt(put(), 400, 'metrics[2].value'), [
      'too_big',
      { maximum: 1, inclusive: true, origin: 'boolean', metric: 'premium_card' },
    ]);
    assert.deepEqual(await codeAt(put(), 400, 'metrics[3].period'), ['month_not_begun', { month: '2026-01', current: '2025-11' }]);
    assert.deepEqual(await codeAt(put(), 400, 'metrics[4]'), ['duplicate', { metric: 'avg_daily_balance', month: '2025-10' }]);
    assert.deepEqual(await codeAt(put(), 400, 'metrics[5].period'), [
      'too_small',
      { minimum: '2000-01', inclusive: true, origin: 'month' },
    ]);
  });

  it('subject lists: a level without its scheme, an unknown scheme or level, row of a scheme that is no matrix', async () => {
    assert.deepEqual(await codeAt(api.get('/v1/subjects?level=gold'), 400, 'query.level'), ['requires', { field: 'query.scheme' }]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects?scheme=nope'), 400, 'query.scheme'), ['unknown_scheme', { scheme: 'nope' }]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects?scheme=retail-tier&level=ruby'), 400, 'query.level'), [
      'unknown_level',
      { level: 'ruby', scheme: 'retail-tier' },
    ]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects?scheme=retail-tier&row=low'), 400, 'query.row'), [
      'not_matrix',
      { scheme: 'retail-tier' },
    ]);
    for (const path of ['/v1/approvals?scheme=nope', '/v1/overrides?scheme=nope', '/v1/reviews/overdue?scheme=nope'])
      assert.deepEqual(await codeAt(api.get(path), 400, 'query.scheme'), ['unknown_scheme', { scheme: 'nope' }], path);
  });

  it('analytics: a range the wrong way round or too long, an unknown metric, not a month', async () => {
    assert.deepEqual(await codeAt(api.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-13&to=2025-06'), 400, 'query.from'), [
      'invalid_format',
      { format: 'month' },
    ]);
    assert.deepEqual(await codeAt(api.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-10&to=2025-06'), 400, 'query.to'), [
      'too_small',
      { minimum: '2025-10', inclusive: true, origin: 'month' },
    ]);
    const [long, params] = await codeAt(api.get('/v1/analytics/distribution?scheme=retail-tier&from=2000-01&to=2025-10'), 400, 'query.to');
    assert.equal(long, 'too_big');
    assert.equal((params as { origin: string }).origin, 'months');
    assert.equal((params as { actual: number }).actual, 310);
    const [metric, mp] = await codeAt(
      api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=up&metric=nope'),
      400,
      'query.metric',
    );
    assert.deepEqual([metric, (mp as { metric: string }).metric], ['unknown_metric', 'nope']);
  });

  it('overrides: an expiry in the past, a level the scheme does not have, a scheme for another kind', async () => {
    await api.customer('FC2');
    const ask = (body: Record<string, unknown>) =>
      api.post('/v1/subjects/FC2/overrides', {
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'fixed',
        reason: 'x',
        expiresAt: null,
        ...body,
      });
    assert.deepEqual(await codeAt(ask({ expiresAt: '2025-01-01T00:00:00Z' }), 400, 'expiresAt'), [
      'expired',
      { now: '2025-11-15T04:00:00.000Z' },
    ]);
    const [level, lp] = await codeAt(ask({ level: 'ruby' }), 400, 'level');
    assert.deepEqual([level, (lp as { level: string }).level, (lp as { scheme: string }).scheme], ['unknown_level', 'ruby', 'retail-tier']);
    const [scheme, sp] = await codeAt(ask({ scheme: 'nope' }), 400, 'scheme');
    assert.deepEqual([scheme, (sp as { scheme: string }).scheme], ['unknown_scheme', 'nope']);
    const filed = (await (await ask({})).json()) as { id: string };
    assert.deepEqual(
      await codeAt(
        f.app.request(`/v1/overrides/${filed.id}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json', ...authHeader(f) },
          body: '{}',
        }),
        400,
        '',
      ),
      ['no_change', { fields: ['level', 'mode', 'reason', 'reasonCategory', 'evidence', 'expiresAt'] }],
    );
    // The fields it names are the ones an edit may carry, as the API document says.
    const doc = (await (await f.app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    assert.deepEqual(Object.keys(doc.components.schemas.OverrideEditBody?.properties ?? {}), [
      'level',
      'mode',
      'reason',
      'reasonCategory',
      'evidence',
      'expiresAt',
    ]);
  });

  it('subjects and books: a kind that cannot change, unknown or repeated subjects, unknown staff, "me" without a staff token', async () => {
    await api.customer('FC3');
    assert.deepEqual(await codeAt(api.put('/v1/subjects/FC3', { kind: 'product', displayName: 'x' }), 409, 'kind'), [
      'immutable',
      { value: 'customer' },
    ]);
    const bulk = (assignments: unknown[]) => api.post('/v1/subject-managers', { assignments });
    assert.deepEqual(await codeAt(bulk([{ subject: 'NOPE', manager: null }]), 400, 'assignments[0].subject'), [
      'unknown_subject',
      { subject: 'NOPE' },
    ]);
    assert.deepEqual(
      await codeAt(
        bulk([
          { subject: 'FC3', manager: null },
          { subject: 'FC3', manager: null },
        ]),
        400,
        'assignments[1].subject',
      ),
      ['duplicate', { subject: 'FC3' }],
    );
    assert.deepEqual(await codeAt(bulk([{ subject: 'FC3', manager: 'NOBODY' }]), 400, 'assignments[0].manager'), [
      'unknown_staff',
      { staff: 'NOBODY' },
    ]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects?manager=me'), 400, 'query.manager'), ['me_needs_staff_token', undefined]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects/FC3/suitability?product=R3&productId=P1'), 400, 'query.product'), [
      'exactly_one',
      { fields: ['query.product', 'query.productId'] },
    ]);
  });

  it('policies: a copy and a document at once', async () => {
    assert.deepEqual(await codeAt(api.post('/v1/policies/retail-tier/drafts', { from: 1, document: {} }), 400, 'from'), [
      'not_both',
      { fields: ['from', 'document'] },
    ]);
  });

  it('requests: a query parameter twice or not true/false, a bad cursor or Idempotency-Key, text that cannot be stored', async () => {
    assert.deepEqual(await codeAt(api.get('/v1/subjects/FC1/tiers?unmask=maybe'), 400, 'query.unmask'), [
      'invalid_value',
      { values: ['true', 'false'] },
    ]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects/FC1/tiers?unmask=true&unmask=true'), 400, 'query.unmask'), ['repeated', undefined]);
    assert.deepEqual(await codeAt(api.get('/v1/subjects?cursor=not-ours'), 400, 'query.cursor'), ['invalid_format', { format: 'cursor' }]);
    const keyed = await f.app.request('/v1/subject-managers', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'a b', ...authHeader(f) },
      body: JSON.stringify({ assignments: [] }),
    });
    assert.deepEqual(await codeAt(keyed, 400, 'headers.idempotency-key'), ['invalid_format', { format: 'idempotency_key' }]);
    // Bytes that are not UTF-8 in a query parameter and in a JSON body (an import file's are at `(body)` too).
    assert.deepEqual(await codeAt(api.get('/v1/subjects?scheme=%FF'), 400, 'query.scheme'), ['invalid_encoding', { encoding: 'utf-8' }]);
    const latin1 = await f.app.request('/v1/subject-managers', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeader(f) },
      body: new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]),
    });
    assert.deepEqual(await codeAt(latin1, 400, '(body)'), ['invalid_encoding', { encoding: 'utf-8', in: 'json' }]);
    assert.deepEqual(await codeAt(api.put('/v1/subjects/FC1', { kind: 'customer', displayName: 'a\u0000b' }), 400, 'displayName'), [
      'unsafe_text',
      { character: 'nul' },
    ]);
  });

  it('imports: settings, and a file that cannot be read or mapped', async () => {
    assert.deepEqual(await codeAt(upload(f, 'kind=subjects', 'id,name\n', 'text/csv; charset=latin1'), 400, 'headers.content-type'), [
      'invalid_value',
      { values: ['utf-8', 'gbk', 'gb18030', 'big5'] },
    ]);
    assert.deepEqual(await codeAt(upload(f, 'kind=metrics', 'subject,period\n'), 400, 'query.amounts'), [
      'required',
      { values: ['yuan', 'fen'] },
    ]);
    assert.deepEqual(await codeAt(upload(f, `kind=subjects&mapping=${encodeURIComponent('{x')}`, 'id,name\n'), 400, 'query.mapping'), [
      'invalid_format',
      { format: 'mapping' },
    ]);
    const file = (query: string, body: string | Uint8Array, path: string) => codeAt(upload(f, query, body), 400, path);
    assert.deepEqual(await file('kind=subjects', new Uint8Array(iconv.encode('客户号,姓名\n', 'gbk')), '(body)'), [
      'invalid_encoding',
      { encoding: 'utf-8' },
    ]);
    assert.deepEqual(await file('kind=subjects', '', '(body)'), ['empty_file', undefined]);
    assert.deepEqual(await file('kind=subjects', 'id,name\nQ1,"a"b\n', 'line 2'), ['invalid_csv', { problem: 'after_closing_quote' }]);
    assert.deepEqual(await file(`kind=subjects&mapping=${encodeURIComponent('{"nope":"id"}')}`, 'id,name\n', 'line 1, column "nope"'), [
      'unknown_column',
      { column: 'nope', headers: ['id', 'name'] },
    ]);
    assert.deepEqual(await file(`kind=subjects&mapping=${encodeURIComponent('{"姓名":"ignore"}')}`, 'id,姓名\nQ1,x\n', 'line 1'), [
      'unmapped',
      { field: 'name', headers: ['id', '姓名'] },
    ]);
    assert.deepEqual(await file('kind=managers', 'subject,manager,extra\n', 'line 1, column "extra"'), [
      'unknown_field',
      { column: 'extra', kind: 'managers', fields: ['subject', 'manager', 'ignore'] },
    ]);
    assert.deepEqual(await file(`kind=subjects&mapping=${encodeURIComponent('{"b":"name"}')}`, 'id,name,b\n', 'line 1, column "b"'), [
      'mapped_twice',
      { field: 'name' },
    ]);
    assert.deepEqual(await file('kind=metrics&amounts=fen', 'subject,period,metric,value,avg_daily_balance\n', 'line 1'), [
      'mixed_layout',
      undefined,
    ]);
  });
});
