import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, drainJobs } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { putStaffGranted } from '../support/granted-staff.js';
import { fourEyesTenant, ok, problem, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  status: string;
  contentHash: string;
  requestedBy: string;
  expiresAt: string | null;
}

/*
 * Ways around four eyes found in review: an expired request edited back beside a newer one, and a
 * level a person's own re-tier job moved, signed off by that person.
 */
forEachDialect('four eyes beyond one request', (f) => {
  let t: FourEyesTenant;
  const customer = async (id: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
  };
  const request = (id: string, body: Record<string, unknown>, who: 'officer' | 'officer2' = 'officer') =>
    requestOverride(t, id, { reason: 'r', ...body }, who);

  before(async () => {
    t = await fourEyesTenant(f, 'rev-owners', START);
  });

  it('an expired pending request cannot be edited back to life beside a newer one: 409, one request pending', async () => {
    await customer('R1');
    const stale = await ok<Override>(await request('R1', { expiresAt: '2025-11-20T00:00:00Z' }), 201);
    try {
      t.setClock(new Date('2025-11-21T00:00:00.000Z'));
      // The stale one "competes with nothing": officer2 files a fresh one.
      const fresh = await ok<Override>(await request('R1', { level: 'diamond' }, 'officer2'), 201);
      // The first requester moves the stale one's expiry ahead: it can be approved again.
      const revived = await t.req('officer', 'PATCH', `/v1/overrides/${stale.id}`, { expiresAt: '2026-06-30T00:00:00Z' });
      await problem(revived, 409, 'conflict');
      const pending = await ok<{ items: Override[] }>(await t.req('viewer', 'GET', '/v1/subjects/R1/overrides?status=pending'));
      const live = pending.items.filter((o) => o.expiresAt === null || o.expiresAt > '2025-11-21T00:00:00.000Z');
      assert.deepEqual(
        live.map((o) => o.id).sort(),
        [fresh.id],
        `edit answered ${revived.status}; two approvable pending requests now compete: ${live.map((o) => o.id).join(', ')}`,
      );
    } finally {
      t.setClock(START);
    }
  });
  it('a level moved by a re-tier job is its starter’s request: they cannot sign it off with another credential', async () => {
    // A new approver is a grant of power: a second admin approves it (tests/support/granted-staff.ts).
    assert.equal(
      await putStaffGranted((c, m, p, b) => t.req({ credential: c }, m, p, b), t.keys.admin, t.keys.admin2, 'ALICE', {
        name: 'Alice',
        role: 'approver',
        scope: 'tenant',
      }),
      202,
    );
    const alice = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'approver', label: 'alice', staffId: 'ALICE', now: START }))
      .secret;
    const as = { credential: alice };
    await ok(await t.req(as, 'PUT', '/v1/subjects/R2', { kind: 'customer', displayName: '王芳' }), 201);
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${alice}` },
      body: 'subject,metric,period,value\nR2,aml_customer_risk,2025-10,95',
    });
    assert.equal(imported.status, 201, await imported.text());
    await ok(await t.req(as, 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const pending = await ok<{ contentHash: string; requestedBy: string }>(
      await t.req('viewer', 'GET', '/v1/subjects/R2/levels/aml-test/approval'),
    );
    const res = await t.req(as, 'POST', '/v1/subjects/R2/levels/aml-test/approve', { contentHash: pending.contentHash });
    assert.equal(res.status, 403, `requestedBy ${pending.requestedBy}; Alice, who loaded the data and started the job, got ${res.status}`);
  });
});
