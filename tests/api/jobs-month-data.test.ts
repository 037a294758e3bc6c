import assert from 'node:assert/strict';
import { it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import { NOW, authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * A month is re-tiered only once its data is in. `POST /v1/jobs` (and `tierkit retier`) refuse a
 * month the tenant has no metrics for, with a 422 naming it and nothing queued.
 */

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

async function jobCount(f: ApiFixture, tenantId: string): Promise<number> {
  const row = await f.db.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

forEachDialect('re-tiering a month only once its data is in', (f: ApiFixture) => {
  it('POST /v1/jobs refuses a month with no metrics (of the schemes asked for) with a 422 naming it, and queues nothing', async () => {
    const api = client(f);
    await api.customer('D1');
    assert.equal(
      (
        await api.balances('D1', [
          ['2025-08', 80_000],
          ['2025-09', 80_000],
          ['2025-10', 80_000],
        ])
      ).status,
      200,
    );
    const before = await jobCount(f, 'bank-a');

    const refuse = async (body: Record<string, unknown>, as: 'a' | 'b' = 'a') => {
      const res = await client(f, as).post('/v1/jobs', { kind: 'retier', ...body });
      assert.equal(res.status, 422, await res.clone().text());
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
      return (await res.json()) as Problem;
    };
    const november = await refuse({ period: '2025-11' });
    assert.equal(november.type, 'https://tierkit.dev/problems/period-without-data');
    assert.match(november.detail, /^No metrics for 2025-11 have been loaded/);
    assert.deepEqual(november.errors, [{ path: 'period', message: 'no data for 2025-11' }]);
    // October has balances but no AML score: the AML scheme alone has nothing to go on.
    assert.match((await refuse({ period: '2025-10', schemes: ['aml-test'] })).detail, /^No metrics for 2025-10 for aml-test/);
    // Another bank's data is not this one's.
    await refuse({ period: '2025-10' }, 'b');
    assert.equal(await jobCount(f, 'bank-a'), before, 'nothing queued');
    assert.equal(await jobCount(f, 'bank-b'), 0);

    // The balances are there for October: the card tiers (and the whole book) may be re-tiered.
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'] })).status, 201);
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10' })).status, 201);
    // The nine-box reads the AML score and the card tier: the balances are data for it.
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['risk-value-test'] })).status, 201);

    // A month loaded by a CSV import counts as well.
    const csv = 'subject,metric,period,value\nD1,avg_daily_balance,2025-11,9000000\n';
    const imported = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: csv,
    });
    assert.equal(imported.status, 201, await imported.text());
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-11' })).status, 201);
    await drainJobs({ db: f.db.db, now: () => NOW, logError: (e: unknown) => assert.fail(String(e)) });
  });
});
