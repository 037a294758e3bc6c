import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EntitlementsResponse, MatrixResponse, SchemeResponse, SchemesResponse } from '@tierkit/core';
import { client, forEachDialect } from '../support/api-fixture.js';

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

forEachDialect('entitlements, schemes, matrix and subject lists', (f) => {
  const api = client(f);

  it('a platinum customer gets platinum benefits, lounge usage counted, and sees what diamond adds', async () => {
    await api.customer('R1');
    await api.balances(
      'R1',
      Q3.map((p) => [p, 400_000]),
    );
    await api.put('/v1/subjects/R1/metrics', {
      metrics: [
        { metric: 'lounge_visits', period: '2025-03', value: 2 },
        { metric: 'lounge_visits', period: '2025-09', value: 1 },
      ],
    });
    const res = await api.get('/v1/subjects/R1/entitlements');
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('ETag'));
    const body = (await res.json()) as EntitlementsResponse;
    const lounge = body.entitlements.find((e) => e.def.key === 'lounge');
    assert.equal(lounge?.status, 'active');
    assert.equal(lounge?.used, 3, 'uses this year so far');
    assert.ok(body.entitlements.some((e) => e.def.key === 'dedicated-rm' && e.status === 'active'));
    assert.ok(body.next.some((n) => n.scheme === 'retail-tier' && n.toLevel === 'diamond'));
  });

  it('a high-risk rating blocks the benefits its restriction names, and says why', async () => {
    await api.customer('R2');
    await api.put('/v1/subjects/R2/metrics', {
      metrics: [
        ...Q3.map((period) => ({ metric: 'avg_daily_balance', period, value: 40_000_000 })),
        { metric: 'aml_customer_risk', period: '2025-10', value: 95 },
      ],
    });
    const body = (await (await api.get('/v1/subjects/R2/entitlements')).json()) as EntitlementsResponse;
    const lane = body.entitlements.find((e) => e.def.key === 'priority-lane');
    assert.equal(lane?.status, 'blocked');
    assert.deepEqual(lane?.blockedBy && { scheme: lane.blockedBy.scheme, level: lane.blockedBy.level }, {
      scheme: 'aml-test',
      level: 'high',
    });
  });

  it('schemes list levels with names and colours; a matrix scheme carries its grid', async () => {
    const list = (await (await api.get('/v1/schemes')).json()) as SchemesResponse;
    assert.deepEqual(
      list.items.map((s) => s.key),
      ['retail-tier', 'aml-test', 'risk-value-test'],
    );
    assert.ok(!('policy' in (list.items[0] ?? {})), 'rules are not exposed to widgets');
    const retail = (await (await api.get('/v1/schemes/retail-tier')).json()) as SchemeResponse;
    assert.deepEqual(
      retail.levels.map((l) => [l.key, l.name['zh-CN'], l.color]),
      [
        ['standard', '普通', 'neutral'],
        ['gold', '金卡', 'gold'],
        ['platinum', '白金卡', 'platinum'],
        ['diamond', '钻石卡', 'diamond'],
      ],
    );
    const matrix = (await (await api.get('/v1/schemes/risk-value-test')).json()) as SchemeResponse;
    assert.equal(matrix.matrix?.rowScheme, 'aml-test');
    const etag = (await api.get('/v1/schemes')).headers.get('ETag') ?? '';
    assert.equal((await api.get('/v1/schemes', { 'If-None-Match': etag })).status, 304);
  });

  it('the matrix counts every subject once in its cell, and a cell lists its subjects page by page', async () => {
    // A fresh tenant's matrix: three customers in known cells.
    const other = client(f, 'b');
    for (const [id, yuan, risk] of [
      ['M1', 400_000, 10],
      ['M2', 400_000, 90],
      ['M3', 10_000, 10],
      ['M4', 400_000, 10],
    ] as const) {
      await other.customer(id);
      await other.put(`/v1/subjects/${id}/metrics`, {
        metrics: [
          ...Q3.map((period) => ({ metric: 'avg_daily_balance', period, value: yuan * 100 })),
          { metric: 'aml_customer_risk', period: '2025-10', value: risk },
        ],
      });
    }
    const res = await other.get('/v1/matrix/risk-value-test');
    const body = (await res.json()) as MatrixResponse;
    assert.equal(body.total, 4);
    assert.equal(body.counts.length, 8, 'every cell, zeros included');
    const count = (row: string, col: string) => body.counts.find((c) => c.row === row && c.col === col)?.count;
    assert.equal(count('low', 'platinum'), 2);
    assert.equal(count('high', 'platinum'), 1);
    assert.equal(count('low', 'standard'), 1);
    assert.equal(count('high', 'diamond'), 0);
    assert.equal(((await (await other.get('/v1/matrix/risk-value-test?kind=employee')).json()) as MatrixResponse).total, 0);

    const first = (await (await other.get('/v1/subjects?scheme=risk-value-test&row=low&col=platinum&limit=1')).json()) as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    assert.deepEqual(
      first.items.map((s) => s.id),
      ['M1'],
    );
    assert.ok(first.nextCursor);
    const second = (await (
      await other.get(`/v1/subjects?scheme=risk-value-test&row=low&col=platinum&limit=1&cursor=${first.nextCursor}`)
    ).json()) as { items: { id: string }[]; nextCursor: string | null };
    assert.deepEqual(
      second.items.map((s) => s.id),
      ['M4'],
    );
    assert.equal(second.nextCursor, null);
    const gold = (await (await other.get('/v1/subjects?scheme=retail-tier&level=platinum')).json()) as { items: { id: string }[] };
    assert.deepEqual(
      gold.items.map((s) => s.id),
      ['M1', 'M2', 'M4'],
    );
  });
});
