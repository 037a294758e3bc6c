import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import type { TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, problem, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * Lowering a sign-off level (docs/domain.md §4): a scheme whose policy sets `loweringNeeds` keeps a held
 * AML 高 in force when new data computes a lower grade, and opens a lowering request a second person
 * decides — one officer's upload of lower figures no longer ends a high-risk grade alone.
 */

interface SignOff {
  id: string;
  level: string;
  proposedLevel?: string;
  status: string;
  contentHash: string;
  requestedBy: string;
}

interface QueueItem {
  id: string;
  level: string;
  proposedLevel?: string;
  summary: string;
  requestedBy: string;
  approvalNeeds: string;
  why?: { ruleId: string; figures: { metric: string; value: number }[] } | null;
}

forEachDialect('lowering a sign-off level needs a second person', (f) => {
  let t: FourEyesTenant;
  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const aml = (id: string, period: string, score: number, who: Person = 'approver') =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
  const amlOf = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`));
    const a = tiers.assignments[0];
    assert.ok(a);
    return { level: a.level, approvalRequired: a.approvalRequired };
  };
  const approval = (id: string) => t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`);
  const decide = (who: Person, id: string, verb: 'approve' | 'reject', contentHash: string) =>
    t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/${verb}`, { contentHash, note: 'reviewed' });
  const history = async (id: string) =>
    (
      await ok<{ items: { from: string | null; to: string; actor?: string }[] }>(
        await t.req('viewer', 'GET', `/v1/subjects/${id}/history?scheme=aml-test`),
      )
    ).items.map((e) => [e.from, e.to]);
  /** A customer at 高 in 2025-09 whose sign-off another approver approved. */
  const signedHigh = async (id: string) => {
    await customer(id);
    await ok(await aml(id, '2025-09', 95));
    const high = await ok<SignOff>(await approval(id));
    await ok(await decide('approver2', id, 'approve', high.contentHash));
    assert.deepEqual(await amlOf(id), { level: 'high', approvalRequired: false });
  };

  before(async () => {
    t = await fourEyesTenant(f, 'fe-lowering', START, loweringPack());
  });

  it('lower figures keep 高 and open a lowering request its maker may not approve; another approver lets 低 take effect', async () => {
    await signedHigh('W1');
    await ok(await aml('W1', '2025-10', 10));
    assert.deepEqual(await amlOf('W1'), { level: 'high', approvalRequired: true }, 'the held level stays in force');
    assert.deepEqual(await history('W1'), [[null, 'high']], 'no move recorded');
    const req = await ok<SignOff>(await approval('W1'));
    assert.deepEqual([req.level, req.proposedLevel, req.status], ['high', 'low', 'pending']);
    // Staff read the held level and the one waiting (降级待审批 → 低), on the read a console's customer page makes.
    const staff = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/W1/tiers?scheme=aml-test'));
    assert.deepEqual(
      staff.assignments.map((a) => [a.level, 'loweringTo' in a ? a.loweringTo : undefined]),
      [['high', 'low']],
    );
    assert.match(req.requestedBy, /^key:/);

    for (const [locale, word] of [
      ['zh-CN', '降级审批'],
      ['zh-TW', '降級審核'],
      ['en', 'lowering'],
    ] as const) {
      const page = await ok<{ items: QueueItem[] }>(await t.req('viewer', 'GET', `/v1/approvals?subject=W1&locale=${locale}`));
      const item = page.items.find((i) => i.id === 'W1:aml-test');
      assert.ok(item, locale);
      assert.equal(item.proposedLevel, 'low');
      assert.ok(item.summary.includes(word), item.summary);
      assert.equal(item.approvalNeeds, 'approver');
      assert.deepEqual(
        item.why?.figures.map((x) => [x.metric, x.value]),
        [['aml_customer_risk', 10]],
        'the figures that proposed the lower grade',
      );
    }

    // The maker (its credential wrote the figures) may not decide it.
    await problem(await decide('approver', 'W1', 'approve', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('W1'), { level: 'high', approvalRequired: true });
    const approved = await ok<SignOff>(await decide('approver2', 'W1', 'approve', req.contentHash));
    assert.equal(approved.status, 'approved');
    assert.deepEqual(await amlOf('W1'), { level: 'low', approvalRequired: false });
    const after = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/W1/tiers?scheme=aml-test'));
    assert.ok(!after.assignments.some((a) => 'loweringTo' in a), 'nothing waits once decided');
    assert.deepEqual(await history('W1'), [
      ['high', 'low'],
      [null, 'high'],
    ]);
    await problem(await approval('W1'), 404, 'not-found');
  });

  it('a rejected lowering keeps 高, and the same data — written again or re-tiered — does not ask again', async () => {
    await signedHigh('W2');
    await ok(await aml('W2', '2025-10', 10));
    const req = await ok<SignOff>(await approval('W2'));
    await ok(await decide('approver2', 'W2', 'reject', req.contentHash));
    assert.deepEqual(await amlOf('W2'), { level: 'high', approvalRequired: false });
    await ok(await aml('W2', '2025-10', 10));
    await problem(await approval('W2'), 404, 'not-found');
    // The month's balances too, as a month end loads them (a job refuses a month without them).
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/W2/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 100 }],
      }),
    );
    await problem(await approval('W2'), 404, 'not-found');
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    await problem(await approval('W2'), 404, 'not-found');
    assert.deepEqual(await amlOf('W2'), { level: 'high', approvalRequired: false });
    assert.deepEqual(await history('W2'), [[null, 'high']]);
  });

  it('an import then a re-tier job keep 高 and open the lowering request; data back at 高 supersedes it', async () => {
    await signedHigh('W3');
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer}` },
      body: 'subject,metric,period,value\nW3,aml_customer_risk,2025-10,12\nW3,avg_daily_balance,2025-10,100',
    });
    assert.equal(imported.status, 201, await imported.text());
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    assert.deepEqual(await amlOf('W3'), { level: 'high', approvalRequired: true });
    const req = await ok<SignOff>(await approval('W3'));
    assert.deepEqual([req.level, req.proposedLevel], ['high', 'low']);
    assert.deepEqual(await history('W3'), [[null, 'high']]);

    // New data back at 高: the request ends with its trail, and the approved 高 needs no new sign-off.
    await ok(await aml('W3', '2025-11', 96, 'officer'));
    await problem(await approval('W3'), 404, 'not-found');
    assert.deepEqual(await amlOf('W3'), { level: 'high', approvalRequired: false });
    await problem(await decide('approver2', 'W3', 'approve', req.contentHash), 409, 'conflict');
  });

  it('whoever imported the lower figures may not approve the lowering a later job (someone else’s) opened', async () => {
    await signedHigh('W5');
    // The approver loads the file; an officer runs the month end: the job is the request's maker.
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.approver}` },
      body: 'subject,metric,period,value\nW5,aml_customer_risk,2025-10,11\nW5,avg_daily_balance,2025-10,100',
    });
    assert.equal(imported.status, 201, await imported.text());
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const req = await ok<SignOff>(await approval('W5'));
    assert.deepEqual([req.level, req.proposedLevel], ['high', 'low']);
    assert.match(req.requestedBy, /^job:/);
    await problem(await decide('approver', 'W5', 'approve', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('W5'), { level: 'high', approvalRequired: true }, 'nothing approved');
    await ok(await decide('approver2', 'W5', 'approve', req.contentHash));
    assert.deepEqual(await amlOf('W5'), { level: 'low', approvalRequired: false });
  });

  it('a metrics import’s audit record counts the risk inputs it replaced, per metric — counts, never values', async () => {
    await signedHigh('W6');
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer}`, 'X-Request-Id': 'aml-import-w6' },
      // The September grade's figure replaced; October's new; the same value sent again is no replacement.
      body: 'subject,metric,period,value\nW6,aml_customer_risk,2025-09,37\nW6,aml_customer_risk,2025-10,96\nW1,aml_customer_risk,2025-10,10',
    });
    assert.equal(imported.status, 201, await imported.text());
    const audit = await ok<{ items: { requestId: string; phase: string; detail: Record<string, unknown> }[] }>(
      await t.req('admin', 'GET', '/v1/audit?limit=50'),
    );
    const record = audit.items.find((r) => r.requestId === 'aml-import-w6' && r.phase === 'result');
    assert.ok(record);
    assert.deepEqual(record.detail.replacedSignOffInputs, { aml_customer_risk: 1 });
    // No figure of the file anywhere in the record (a digest or an id may hold the digits "37" by chance).
    const figures: unknown[] = [];
    JSON.stringify(record.detail, (_k, v) => {
      if (typeof v === 'number' || typeof v === 'string') figures.push(v);
      return v;
    });
    for (const value of [37, 96, '37', '96']) assert.ok(!figures.includes(value), `no value in the record: ${value}`);
  });

  it('the customer (embed token) sees nothing of AML nor of a lowering request', async () => {
    await signedHigh('W4');
    await ok(await aml('W4', '2025-10', 10));
    const token = await t.embedToken('W4');
    const res = await t.req({ credential: token }, 'GET', '/v1/subjects/W4/tiers');
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.ok(!text.includes('aml'), text);
    assert.ok(!text.includes('proposed'), text);
    assert.ok(!text.includes('lowering'), text);
    await problem(await t.req({ credential: token }, 'GET', '/v1/subjects/W4/levels/aml-test/approval'), 403);
  });
});
