import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Problem, TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId } from '@tierkit/db';
import { authHeader, client, forEachDialect } from '../support/api-fixture.js';

async function problem(res: Response, status: number): Promise<Problem> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as Problem;
  assert.equal(body.status, status);
  assert.match(body.type, /^https:\/\/tierkit\.dev\/problems\//);
  assert.ok(body.title);
  return body;
}

forEachDialect('bad input is a 4xx problem and changes nothing', (f) => {
  const api = client(f);
  const tiersOf = async (id: string) => (await (await api.get(`/v1/subjects/${id}/tiers`)).json()) as TiersResponse;
  /** Every stored observation of a subject, read from the table itself (not through the engine). */
  const metricRowsOf = async (id: string) => {
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', id);
    assert.ok(subject, `${id} exists`);
    const rows = await f.db.db
      .selectFrom('metrics')
      .select(['metric', 'period', 'value'])
      .where('tenant_id', '=', 'bank-a')
      .where('subject_id', '=', subject.id)
      .orderBy('metric')
      .orderBy('period')
      .execute();
    return rows.map((r) => ({ metric: r.metric, period: r.period, value: Number(r.value) }));
  };

  it('every invalid observation is reported with its field path, and nothing is written', async () => {
    await api.customer('V1');
    await api.balances('V1', [['2025-10', 80_000]]);
    const before = await tiersOf('V1');
    const rowsBefore = await metricRowsOf('V1');
    assert.deepEqual(rowsBefore, [{ metric: 'avg_daily_balance', period: '2025-10', value: 8_000_000 }]);
    const res = await api.put('/v1/subjects/V1/metrics', {
      metrics: [
        { metric: 'avg_daily_balance', period: '2025-10', value: 99_999_999 }, // valid, must not be written either
        { metric: 'no_such_metric', period: '2025-10', value: 1 },
        { metric: 'avg_daily_balance', period: '2025-10', value: -5 },
        { metric: 'premium_card', period: '2025-09', value: 2 },
        { metric: 'avg_daily_balance', period: '2026-01', value: 1 },
      ],
    });
    const body = await problem(res, 400);
    const paths = body.errors?.map((e) => e.path) ?? [];
    for (const p of ['metrics[1].metric', 'metrics[2].value', 'metrics[3].value', 'metrics[4].period'])
      assert.ok(paths.includes(p), `${p} in ${paths}`);
    assert.ok(paths.includes('metrics[2]'), 'the same metric and month twice is refused');
    assert.deepEqual(await tiersOf('V1'), before);
    assert.deepEqual(await metricRowsOf('V1'), rowsBefore);
  });

  it('shape errors name the field: months that do not exist, fractions, missing fields, extra fields', async () => {
    await api.customer('V2');
    const cases: [unknown, string][] = [
      [{ metrics: [{ metric: 'avg_daily_balance', period: '2025-13', value: 1 }] }, 'metrics[0].period'],
      [{ metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1.5 }] }, 'metrics[0].value'],
      [{ metrics: [{ metric: 'avg_daily_balance', period: '2025-10' }] }, 'metrics[0].value'],
      [{ metrics: [] }, 'metrics'],
      [{ metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1, extra: true }] }, 'metrics[0]'],
      [{}, 'metrics'],
    ];
    for (const [body, path] of cases) {
      const p = await problem(await api.put('/v1/subjects/V2/metrics', body), 400);
      assert.ok(
        p.errors?.some((e) => e.path === path),
        `${JSON.stringify(body)} → ${JSON.stringify(p.errors)}`,
      );
    }
    const tooMany = { metrics: Array.from({ length: 1001 }, (_, i) => ({ metric: 'transaction_count', period: '2025-10', value: i })) };
    assert.ok((await problem(await api.put('/v1/subjects/V2/metrics', tooMany), 400)).errors?.some((e) => e.path === 'metrics'));
    assert.equal((await tiersOf('V2')).assignments.length, 0);
  });

  it('unknown subjects, schemes and paths are 404 problems', async () => {
    await problem(await api.get('/v1/subjects/NOPE/tiers'), 404);
    await problem(await api.get('/v1/subjects/NOPE/history'), 404);
    await problem(await api.get('/v1/subjects/NOPE/entitlements'), 404);
    await problem(
      await api.put('/v1/subjects/NOPE/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }),
      404,
    );
    await problem(await api.get('/v1/schemes/nope'), 404);
    await problem(await api.get('/v1/matrix/retail-tier'), 404);
    await problem(await api.get('/v1/nothing-here'), 404);
  });

  it('malformed JSON, a wrong content type and a huge body are refused before anything runs', async () => {
    await api.customer('V3');
    const raw = (body: string, type: string) =>
      f.app.request('/v1/subjects/V3/metrics', { method: 'PUT', headers: { 'Content-Type': type, ...authHeader(f) }, body });
    await problem(await raw('{"metrics": [', 'application/json'), 400);
    await problem(await raw(JSON.stringify({ metrics: [] }), 'text/plain'), 415);
    const huge = JSON.stringify({
      metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }],
      pad: 'x'.repeat(2 * 1024 * 1024),
    });
    await problem(await raw(huge, 'application/json'), 413);
    assert.equal((await tiersOf('V3')).assignments.length, 0);
  });

  it('bad query parameters and forged cursors are 400 problems with paths', async () => {
    await api.customer('V4');
    assert.ok((await problem(await api.get('/v1/subjects/V4/history?limit=0'), 400)).errors?.some((e) => e.path === 'query.limit'));
    assert.ok(
      (await problem(await api.get('/v1/subjects/V4/history?cursor=bm90LWEtY3Vyc29y'), 400)).errors?.some((e) => e.path === 'query.cursor'),
    );
    assert.ok(
      (await problem(await api.get('/v1/subjects?scheme=retail-tier&level=bronze'), 400)).errors?.some((e) => e.path === 'query.level'),
    );
    assert.ok(
      (await problem(await api.put('/v1/subjects/V5', { kind: 'alien', displayName: 'x' }), 400)).errors?.some((e) => e.path === 'kind'),
    );
  });

  it('schema errors carry a stable code and what its words need, for a host to say them in its own language', async () => {
    const limit = (await problem(await api.get('/v1/subjects?limit=0'), 400)).errors?.find((e) => e.path === 'query.limit');
    assert.equal(limit?.code, 'too_small');
    assert.deepEqual(limit?.params, { minimum: 1, inclusive: true, origin: 'number' });
    const kind = (await problem(await api.put('/v1/subjects/V6', { kind: 'alien', displayName: 'x' }), 400)).errors?.find(
      (e) => e.path === 'kind',
    );
    assert.equal(kind?.code, 'invalid_value');
    assert.deepEqual(kind?.params?.values, ['customer', 'corporate', 'product', 'employee']);
    const missing = (await problem(await api.put('/v1/subjects/V6', { kind: 'customer' }), 400)).errors?.find(
      (e) => e.path === 'displayName',
    );
    // Left out, not of another type: `received` says so, for a host to word it as required.
    assert.deepEqual([missing?.code, missing?.params], ['invalid_type', { expected: 'string', received: 'undefined' }]);
    const extra = (await problem(await api.put('/v1/subjects/V6', { kind: 'customer', displayName: 'x', vip: true }), 400)).errors;
    assert.deepEqual(
      extra?.map((e) => [e.code, e.params]),
      [['unrecognized_keys', { keys: ['vip'] }]],
    );
    const twice = (await problem(await api.get('/v1/subjects?limit=5&limit=6'), 400)).errors?.find((e) => e.path === 'query.limit');
    assert.equal(twice?.code, 'repeated');
  });

  it('tenants never see each other’s subjects', async () => {
    await api.customer('T1', '赵敏');
    await api.balances('T1', [
      ['2025-08', 400_000],
      ['2025-09', 400_000],
      ['2025-10', 400_000],
    ]);
    const other = client(f, 'b');
    await problem(await other.get('/v1/subjects/T1/tiers'), 404);
    await other.customer('T1', '周芷若');
    const theirs = (await (await other.get('/v1/subjects/T1/tiers')).json()) as TiersResponse;
    assert.equal(theirs.assignments.length, 0, 'same external id in another tenant is another subject');
    assert.equal(theirs.subject.displayName, '周*若');
    const list = (await (await other.get('/v1/subjects?scheme=retail-tier&level=platinum')).json()) as { items: unknown[] };
    assert.equal(list.items.length, 0);
  });
});
