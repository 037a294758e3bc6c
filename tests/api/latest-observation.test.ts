import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs, enqueueRetier } from '@tierkit/api';
import { defaultPolicyPack, type TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * A policy input with no window (`window: null`) reads the latest observation however old: a
 * product rated R5 in 2024 is R5 until it is rated again. Re-evaluations load a window of months;
 * they must also load that latest observation from before it, or a later re-evaluation reads 0 (R1).
 */
forEachDialect('an input with no window reads the latest observation, however old', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'latest-obs', START, defaultPolicyPack);
  });
  const metrics = (id: string, metric: string, period: string, value: number) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric, period, value }] });
  const productRisk = async (id: string) => {
    const a = (await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=product-risk`))).assignments[0];
    assert.ok(a);
    return { level: a.level, value: a.explanation.inputs.find((i) => i.metric === 'product_risk_class')?.value };
  };

  it('a re-tier job, and a later write of other data, keep a product rated long before at its class', async () => {
    for (const id of ['PX1', 'PX2']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'product', displayName: '理财产品' }), 201);
      await ok(await metrics(id, 'product_risk_class', '2024-07', 5));
      assert.deepEqual(await productRisk(id), { level: 'R5', value: 5 });
      // Evaluated again at a month whose window no longer holds the rating.
      await ok(await metrics(id, 'avg_daily_balance', '2025-09', 0));
      assert.deepEqual(await productRisk(id), { level: 'R5', value: 5 });
    }
    // The next month's job re-tiers PX1.
    const job = await enqueueRetier(f.db.db, { tenantId: t.tenantId, period: '2025-10', now: START, filter: { subjects: ['PX1'] } });
    assert.ok(job);
    await drainJobs({ db: f.db.db, now: () => START });
    assert.deepEqual(await productRisk('PX1'), { level: 'R5', value: 5 });
    // PX2 gets other data of a later month, and is re-evaluated at that month.
    await ok(await metrics('PX2', 'avg_daily_balance', '2025-10', 0));
    assert.deepEqual(await productRisk('PX2'), { level: 'R5', value: 5 });
    // A new rating counts from its month.
    await ok(await metrics('PX2', 'product_risk_class', '2025-10', 3));
    assert.deepEqual(await productRisk('PX2'), { level: 'R3', value: 3 });
  });
  it('a policy simulation reads it too: a draft of the product risk scheme keeps a long-rated product at its class', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/PX3', { kind: 'product', displayName: '理财产品' }), 201);
    await ok(await metrics('PX3', 'product_risk_class', '2024-07', 4));
    await ok(await metrics('PX3', 'avg_daily_balance', '2025-09', 0));
    assert.deepEqual(await productRisk('PX3'), { level: 'R4', value: 4 });
    const draft = await ok<{ version: number }>(await t.req('officer', 'POST', '/v1/policies/product-risk/drafts', {}), 201);
    const sim = await ok<{ cells: { from: string; to: string; samples: string[] }[] }>(
      await t.req('officer', 'POST', `/v1/policies/product-risk/versions/${draft.version}/simulate`, { samplesPerCell: 10 }),
    );
    const cell = sim.cells.find((c) => c.samples.includes('PX3'));
    assert.deepEqual([cell?.from, cell?.to], ['R4', 'R4']);
  });
});
