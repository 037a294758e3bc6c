import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, provisionTenant } from '@tierkit/api';
import { defaultPolicyPack, type PolicyPack } from '@tierkit/core';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { writeBook } from '../support/history-book.js';
import { expectProblems } from '../support/problems.js';
import { testPack } from '../support/test-pack.js';

/*
 * The effect evaluation follows a metric of the tenant's catalogue. A bank whose catalogue names its
 * balances otherwise than the default pack (`aum` here, the same pack with the metric renamed) got a
 * 400 for every evaluation that named no metric — the console's first one on opening the page.
 */

/** The test pack with `avg_daily_balance` called `aum` throughout: metric, policies and all. */
const aumPack = (): PolicyPack => JSON.parse(JSON.stringify(testPack()).replaceAll('"avg_daily_balance"', '"aum"')) as PolicyPack;

forEachDialect('analytics: the metrics an effect evaluation may follow', (f) => {
  let aumKey = '';
  let fullKey = '';
  before(async () => {
    // The default pack whole: customer, corporate, employee and product schemes side by side.
    await provisionTenant(f.db.db, { id: 'bank-d', name: 'bank-d', pack: defaultPolicyPack, now: NOW });
    fullKey = (await createApiKey(f.db.db, { tenantId: 'bank-d', role: 'analyst', label: 'analyst', now: NOW })).secret;
    await provisionTenant(f.db.db, { id: 'bank-c', name: 'bank-c', pack: aumPack(), now: NOW });
    aumKey = (await createApiKey(f.db.db, { tenantId: 'bank-c', role: 'analyst', label: 'analyst', now: NOW })).secret;
    const known = new Set<string>();
    await writeBook(
      f.db.db,
      'bank-c',
      {
        events: [
          { subject: 'A1', period: '2024-01', from: null, to: 'standard' },
          { subject: 'A1', period: '2024-06', from: 'standard', to: 'gold' },
          { subject: 'A2', period: '2024-01', from: null, to: 'standard' },
        ],
        metric: 'aum',
        metrics: { A1: { '2024-06': 6_000_000, '2024-07': 6_600_000 }, A2: { '2024-06': 5_500_000, '2024-07': 5_600_000 } },
      },
      known,
    );
  });

  it('lists the catalogue and the default: the default pack’s balance when the catalogue has it', async () => {
    const res = await client(f, () => f.keys.roles.analyst).get('/v1/analytics/metrics');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(
      body.items.map((m: { key: string }) => m.key),
      testPack().metrics.map((m) => m.key),
    );
    assert.equal(body.default, 'avg_daily_balance');
  });

  it('a catalogue without it: its first money metric is the default, and an evaluation naming none follows it', async () => {
    const api = client(f, () => aumKey);
    const metrics = await (await api.get('/v1/analytics/metrics')).json();
    assert.equal(metrics.default, 'aum');
    assert.ok(!metrics.items.some((m: { key: string }) => m.key === 'avg_daily_balance'));
    const res = await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=up&months=1');
    assert.equal(res.status, 200, await res.clone().text());
    const effect = await res.json();
    assert.deepEqual(effect.metric, { key: 'aum', unit: 'money', currency: 'CNY' });
    assert.deepEqual(effect.cohorts, { moved: 1, stayed: 1, overrideMoved: 0, heldByOverride: 0 });
  });

  it('for a scheme, only the metrics of its kind of subject: a retail scheme is offered no corporate or employee metric', async () => {
    const api = client(f, () => fullKey);
    const keys = async (scheme: string) => {
      const res = await api.get(`/v1/analytics/metrics?scheme=${scheme}`);
      assert.equal(res.status, 200, await res.clone().text());
      const body = await res.json();
      return { keys: body.items.map((m: { key: string }) => m.key) as string[], default: body.default };
    };
    const retail = await keys('retail-tier');
    for (const other of ['employees', 'annual_revenue', 'tenure_months', 'performance_score', 'industry_code'])
      assert.ok(!retail.keys.includes(other), `${other} is no retail metric: ${retail.keys.join()}`);
    // Its criteria, and a customer outcome no scheme reads.
    for (const own of ['avg_daily_balance', 'premium_card', 'lounge_visits']) assert.ok(retail.keys.includes(own), own);
    assert.equal(retail.default, 'avg_daily_balance');
    const corporate = await keys('corporate-size');
    assert.ok(corporate.keys.includes('employees') && corporate.keys.includes('annual_revenue'), corporate.keys.join());
    assert.ok(!corporate.keys.includes('premium_card'), 'a card is a retail customer’s, read by customer schemes only');
    assert.equal(corporate.default, 'annual_revenue', 'the balance is a customer metric: the first money metric of its kind');
    // No scheme named: the catalogue whole, as before.
    const all = await (await api.get('/v1/analytics/metrics')).json();
    assert.equal(all.items.length, defaultPolicyPack.metrics.length);
    // A scheme it does not have: the 404 every analytics read gives, and a 400 naming the field for no key at all.
    await expectProblems(api.get, [
      ['/v1/analytics/metrics?scheme=nope', 404],
      ['/v1/analytics/metrics?scheme=', 400, 'query.scheme'],
    ]);
  });
});
