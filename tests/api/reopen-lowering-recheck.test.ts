import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import type { TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * Reopening a closed customer restores a lowering request the closing withdrew only while the policy
 * would still file it (docs/domain.md §4): a reviewer found one restored after the customer's figures
 * had gone back to 高 — a pending request no rule asked for, which an approver could then approve.
 * The reopening checks the figures today and the version in force, restores what they still ask for,
 * and says in its audit record why it restored nothing (`detail.notRestored`).
 */

interface SignOff {
  id: string;
  level: string;
  proposedLevel?: string;
  status: string;
  contentHash: string;
  requestedBy: string;
}

forEachDialect('reopening re-checks a withdrawn lowering request', (f) => {
  let t: FourEyesTenant;
  const aml = (id: string, period: string, score: number, who: Person = 'officer') =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
  const approval = (id: string) => t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`);
  const amlOf = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`));
    const a = tiers.assignments[0];
    return { level: a?.level, approvalRequired: a?.approvalRequired };
  };
  /** A customer at 高, signed off, whose 2025-10 figures call for 低: a lowering request pending, then closed. */
  const closedWithLowering = async (id: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await aml(id, '2025-09', 95));
    const high = await ok<SignOff>(await approval(id));
    await ok(await t.req('approver2', 'POST', `/v1/subjects/${id}/levels/aml-test/approve`, { contentHash: high.contentHash }));
    await ok(await aml(id, '2025-10', 10));
    const req = await ok<SignOff>(await approval(id));
    assert.deepEqual([req.level, req.proposedLevel], ['high', 'low']);
    await ok(await t.req('admin', 'POST', `/v1/subjects/${id}/close`, { reason: '销户' }));
    return req;
  };
  const reopenRecord = async (id: string) => {
    const trail = await ok<{ items: { route: string; detail: Record<string, unknown> | null }[] }>(
      await t.req('admin', 'GET', `/v1/audit?target=${id}&limit=50`),
    );
    return trail.items.find((r) => r.route.endsWith('/reopen'));
  };

  before(async () => {
    t = await fourEyesTenant(f, 'reopen-recheck', START, loweringPack());
  });

  it('figures back at 高 while closed: the request stays withdrawn, nothing waits, and the reopening says why', async () => {
    const req = await closedWithLowering('RR1');
    // The month's figure corrected while the customer was closed (stored, not re-tiered): 高 again.
    await ok(await aml('RR1', '2025-10', 95, 'approver'));
    await ok(await t.req('admin', 'POST', '/v1/subjects/RR1/reopen', {}));
    const now = await t.req('viewer', 'GET', '/v1/subjects/RR1/levels/aml-test/approval');
    assert.equal(now.status, 404, `no lowering request waits: ${await now.clone().text()}`);
    assert.deepEqual(await amlOf('RR1'), { level: 'high', approvalRequired: false }, '高, signed off before, in force');
    const queue = await ok<{ items: { id: string }[] }>(await t.req('admin', 'GET', '/v1/approvals?subject=RR1'));
    assert.deepEqual(queue.items, []);
    const record = await reopenRecord('RR1');
    assert.deepEqual(record?.detail?.notRestored, [
      { request: req.id, scheme: 'aml-test', level: 'high', proposedLevel: 'low', why: 'data_moved', computed: 'high' },
    ]);
  });

  it('figures still calling for 低: restored as before, with its maker, and nothing said not restored', async () => {
    const req = await closedWithLowering('RR2');
    await ok(await t.req('admin', 'POST', '/v1/subjects/RR2/reopen', {}));
    const restored = await ok<SignOff>(await approval('RR2'));
    assert.deepEqual([restored.level, restored.proposedLevel, restored.requestedBy], ['high', 'low', req.requestedBy]);
    assert.equal((await reopenRecord('RR2'))?.detail?.notRestored, undefined);
  });

  // Last: it changes the tenant's policy for the tests after it.
  it('the policy in force no longer guards the move: the request stays withdrawn, nothing waits, and the reopening says rule_dropped', async () => {
    const req = await closedWithLowering('RR3');
    // While the customer is closed, a version of aml-test without `loweringNeeds` is approved for next month, and the customer reopened once it is in force.
    const draft = await ok<{ version: number; document: Record<string, unknown> }>(
      await t.req('officer', 'POST', '/v1/policies/aml-test/drafts', {}),
      201,
    );
    const { loweringNeeds: _dropped, ...document } = draft.document;
    await ok(await t.req('officer', 'PUT', `/v1/policies/aml-test/versions/${draft.version}`, { document }));
    const v = await ok<{ contentHash: string }>(
      await t.req('officer', 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}),
    );
    const sim = await ok<{ id: string }>(
      await t.req('approver', 'POST', `/v1/policies/aml-test/versions/${draft.version}/simulations`, {}),
      202,
    );
    await drainJobs({ db: f.db.db, now: () => START });
    await ok(
      await t.req('admin', 'POST', `/v1/policies/aml-test/versions/${draft.version}/approve`, {
        contentHash: v.contentHash,
        simulationJobId: sim.id,
      }),
    );
    // Approved from next month (the bank's first day of it): the reopening comes after that.
    t.setClock(new Date('2025-12-02T04:00:00.000Z'));
    await ok(await t.req('admin', 'POST', '/v1/subjects/RR3/reopen', {}));
    const now = await t.req('viewer', 'GET', '/v1/subjects/RR3/levels/aml-test/approval');
    assert.equal(now.status, 404, `no lowering request waits: ${await now.clone().text()}`);
    const queue = await ok<{ items: { id: string }[] }>(await t.req('admin', 'GET', '/v1/approvals?subject=RR3'));
    assert.deepEqual(queue.items, []);
    assert.deepEqual((await reopenRecord('RR3'))?.detail?.notRestored, [
      { request: req.id, scheme: 'aml-test', level: 'high', proposedLevel: 'low', why: 'rule_dropped' },
    ]);
  });
});
