import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import type { TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, problem, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * A bank of three staff: the operations officer loads the monthly file and is one of two risk
 * approvers. Barring every importer of a month from every sign-off reading it left that approver no
 * lowering to approve; the rule is narrower — you may not approve a decision whose own figures you put
 * in (docs/domain.md §4, "Lowering a sign-off level").
 */

interface QueueItem {
  proposedLevel?: string;
  approvalBlocked: string | null;
}

interface SignOff {
  level: string;
  proposedLevel?: string;
  contentHash: string;
  requestedBy: string;
}

forEachDialect('an importer is barred from the sign-offs of the values they loaded, not of the month', (f) => {
  let t: FourEyesTenant;
  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const aml = (id: string, period: string, score: number, who: Person) =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
  const amlOf = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`));
    const a = tiers.assignments[0];
    assert.ok(a);
    return { level: a.level, approvalRequired: a.approvalRequired };
  };
  const approval = (id: string) => t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`);
  const decide = (who: Person, id: string, contentHash: string) =>
    t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/approve`, { contentHash, note: 'reviewed' });
  const importAs = async (who: Person, csv: string) => {
    const res = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys[who]}` },
      body: `subject,metric,period,value\n${csv}`,
    });
    assert.equal(res.status, 201, await res.text());
  };
  /** 高 in 2025-09 on the officer's figure, signed off by approver2: neither approver wrote it. */
  const signedHigh = async (id: string) => {
    await customer(id);
    await ok(await aml(id, '2025-09', 95, 'officer'));
    const high = await ok<SignOff>(await approval(id));
    await ok(await decide('approver2', id, high.contentHash));
    assert.deepEqual(await amlOf(id), { level: 'high', approvalRequired: false });
  };

  before(async () => {
    t = await fourEyesTenant(f, 'fe-importer-scope', START, loweringPack());
  });

  it('who imported the month’s risk inputs of other customers may approve a lowering whose figures they did not load', async () => {
    await signedHigh('IS1');
    await customer('IS2');
    // The approver loads 2025-10's file — risk inputs included — for another customer.
    await importAs('approver', 'IS2,aml_customer_risk,2025-10,40\nIS2,avg_daily_balance,2025-10,100');
    // IS1's own lower figure is the officer's, whose write opens the lowering request.
    await ok(await aml('IS1', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('IS1'));
    assert.deepEqual([req.level, req.proposedLevel], ['high', 'low']);
    await ok(await decide('approver', 'IS1', req.contentHash));
    assert.deepEqual(await amlOf('IS1'), { level: 'low', approvalRequired: false });
  });

  it('who imported the customer’s own lower figure may not approve the lowering a month-end job opened; another approver may', async () => {
    await signedHigh('IS3');
    await customer('IS4');
    await importAs('approver', 'IS3,aml_customer_risk,2025-10,11\nIS4,aml_customer_risk,2025-10,50');
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const req = await ok<SignOff>(await approval('IS3'));
    assert.deepEqual([req.level, req.proposedLevel], ['high', 'low']);
    assert.match(req.requestedBy, /^job:/);
    await problem(await decide('approver', 'IS3', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('IS3'), { level: 'high', approvalRequired: true }, 'nothing approved');
    await ok(await decide('approver2', 'IS3', req.contentHash));
    assert.deepEqual(await amlOf('IS3'), { level: 'low', approvalRequired: false });
  });

  it('an import that wrote the same value again leaves the value its earlier writer’s', async () => {
    await signedHigh('IS5');
    // The officer's figure, then the approver's file carrying the same value: no change, no new writer.
    await ok(await aml('IS5', '2025-10', 10, 'officer'));
    await importAs('approver', 'IS5,aml_customer_risk,2025-10,10');
    const req = await ok<SignOff>(await approval('IS5'));
    await ok(await decide('approver', 'IS5', req.contentHash));
  });

  it('the queue says a lowering is not blocked when only the month’s other figures are the approver’s', async () => {
    await signedHigh('IS6');
    await customer('IS7');
    await importAs('approver', 'IS7,aml_customer_risk,2025-10,40');
    await ok(await aml('IS6', '2025-10', 10, 'officer'));
    const queue = await ok<{ items: QueueItem[] }>(await t.req('officer', 'GET', '/v1/approvals?kind=level&subject=IS6'));
    assert.deepEqual(
      queue.items.map((i) => [i.proposedLevel, i.approvalBlocked]),
      [['low', null]],
    );
  });
});

forEachDialect('a small bank: a lowering whose every approver put in its figures says so in the queue', (f) => {
  it('both approvers imported a figure behind it: approvalBlocked approvers-wrote-figures, and each is refused', async () => {
    // Three staff: an officer who runs the month end, two approvers; no admin key.
    const t = await fourEyesTenant(f, 'fe-importer-small', START, loweringPack(), ['viewer', 'officer', 'approver', 'approver2']);
    const importAs = async (who: Person, csv: string) => {
      const res = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys[who]}` },
        body: `subject,metric,period,value\n${csv}`,
      });
      assert.equal(res.status, 201, await res.text());
    };
    const approval = () => t.req('viewer', 'GET', '/v1/subjects/SB1/levels/aml-test/approval');
    await ok(await t.req('officer', 'PUT', '/v1/subjects/SB1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/SB1/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-09', value: 95 }],
      }),
    );
    const high = await ok<SignOff>(await approval());
    await ok(await t.req('approver2', 'POST', '/v1/subjects/SB1/levels/aml-test/approve', { contentHash: high.contentHash }));
    // approver loads October's figure; the officer's month end opens the lowering; approver2 then loads
    // November's, which approving would read as the data now.
    await importAs('approver', 'SB1,aml_customer_risk,2025-10,10\nSB1,avg_daily_balance,2025-10,100');
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    await importAs('approver2', 'SB1,aml_customer_risk,2025-11,9');
    const req = await ok<SignOff>(await approval());
    assert.equal(req.proposedLevel, 'low');
    const queue = await ok<{ items: QueueItem[] }>(await t.req('officer', 'GET', '/v1/approvals?kind=level&subject=SB1'));
    assert.deepEqual(
      queue.items.map((i) => [i.proposedLevel, i.approvalBlocked]),
      [['low', 'approvers-wrote-figures']],
    );
    for (const who of ['approver', 'approver2'] as const)
      await problem(
        await t.req(who, 'POST', '/v1/subjects/SB1/levels/aml-test/approve', { contentHash: req.contentHash }),
        403,
        'four-eyes',
      );
  });
});

forEachDialect('the metric write that leaves a lowering pending tells its writer whether anyone may approve it', (f) => {
  it('every approver put in its figures: the answer says approvers-wrote-figures beside loweringTo, as the queue does; else null', async () => {
    // One approver, no admin: the officer writes, the approver loads the monthly file.
    const t = await fourEyesTenant(f, 'fe-lowering-answer', START, loweringPack(), ['viewer', 'officer', 'approver']);
    const importAs = async (csv: string) => {
      const res = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.approver}` },
        body: `subject,metric,period,value\n${csv}`,
      });
      assert.equal(res.status, 201, await res.text());
    };
    const write = async (id: string, metric: string, period: string, value: number) =>
      ok<TiersResponse>(await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric, period, value }] }));
    const aml = (body: TiersResponse) => {
      const a = body.assignments.find((x) => x.scheme === 'aml-test');
      assert.ok(a, 'the staff answer holds aml-test');
      return a as { level: string; loweringTo?: string; loweringBlocked?: string | null };
    };
    for (const id of ['LB1', 'LB2']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      const high = aml(await write(id, 'aml_customer_risk', '2025-09', 95));
      assert.equal(high.level, 'high');
      assert.equal('loweringBlocked' in high, false, 'no lowering, no word on one');
      const signOff = await ok<SignOff>(await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`));
      await ok(await t.req('approver', 'POST', `/v1/subjects/${id}/levels/aml-test/approve`, { contentHash: signOff.contentHash }));
    }

    // LB1: the approver loaded the lower figure; the officer's write of a balance opens the lowering.
    await importAs('LB1,aml_customer_risk,2025-10,10');
    const barred = aml(await write('LB1', 'avg_daily_balance', '2025-10', 100));
    assert.deepEqual([barred.level, barred.loweringTo, barred.loweringBlocked], ['high', 'low', 'approvers-wrote-figures']);
    const queue = await ok<{ items: QueueItem[] }>(await t.req('officer', 'GET', '/v1/approvals?kind=level&subject=LB1'));
    assert.deepEqual(
      queue.items.map((i) => i.approvalBlocked),
      ['approvers-wrote-figures'],
      'the answer says what the queue says',
    );

    // LB2: the officer wrote the lower figure themself: the approver may decide.
    const open = aml(await write('LB2', 'aml_customer_risk', '2025-10', 10));
    assert.deepEqual([open.level, open.loweringTo, open.loweringBlocked], ['high', 'low', null]);
  });
});
