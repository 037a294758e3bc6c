import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import type { TiersResponse } from '@tierkit/core';
import type { KitError } from '@tierkit/admin';
import { whyFailed } from '../../apps/admin/src/why-failed.js';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, problem, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * Lowering a sign-off level (docs/domain.md §4): the ways round four eyes the first release left open —
 * a figure written by the approver behind someone else's request, a rejection that held for ever, a
 * reopening that lost the request, and an approval answered `approved` once the data had moved back.
 */

interface SignOff {
  id: string;
  level: string;
  proposedLevel?: string;
  period: string;
  status: string;
  contentHash: string;
  requestedBy: string;
}

forEachDialect('lowering a sign-off level: no way round four eyes', (f) => {
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
  const signedHigh = async (id: string) => {
    await customer(id);
    await ok(await aml(id, '2025-09', 95));
    const high = await ok<SignOff>(await approval(id));
    await ok(await decide('approver2', id, 'approve', high.contentHash));
    assert.deepEqual(await amlOf(id), { level: 'high', approvalRequired: false });
  };

  before(async () => {
    t = await fourEyesTenant(f, 'fe-lowering-gaps', START, loweringPack());
  });

  it('whoever wrote a figure behind a request someone else opened may not approve it', async () => {
    await signedHigh('G1');
    await ok(await aml('G1', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('G1'));
    assert.match(req.requestedBy, /^key:/);
    // approver2 writes the month's figure again, lower still: the same move, the officer's request stays.
    await ok(await aml('G1', '2025-10', 9, 'approver2'));
    const same = await ok<SignOff>(await approval('G1'));
    assert.equal(same.id, req.id, 'the pending request is the officer’s');
    await problem(await decide('approver2', 'G1', 'approve', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('G1'), { level: 'high', approvalRequired: true }, 'nothing approved');
    // A person who wrote none of it may.
    await ok(await decide('approver', 'G1', 'approve', req.contentHash));
    assert.deepEqual(await amlOf('G1'), { level: 'low', approvalRequired: false });
  });

  it('whoever imported the older figure a later month-end re-tier reads may not approve the lowering', async () => {
    await customer('G5');
    await ok(await aml('G5', '2025-09', 95, 'officer'));
    const high = await ok<SignOff>(await approval('G5'));
    await ok(await decide('approver2', 'G5', 'approve', high.contentHash));
    // The month's balances, loaded by the officer (no risk figure among them).
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/G5/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 100 }],
      }),
    );
    // A backdated assessment imported by the approver; the officer's month-end job of 2025-10 reads it
    // (a risk score is read as its latest value) and opens the request.
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.approver}` },
      body: 'subject,metric,period,value\nG5,aml_customer_risk,2025-09,10',
    });
    assert.equal(imported.status, 201, await imported.text());
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const req = await ok<SignOff>(await approval('G5'));
    assert.deepEqual([req.proposedLevel, req.period], ['low', '2025-10']);
    await problem(await decide('approver', 'G5', 'approve', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('G5'), { level: 'high', approvalRequired: true }, 'nothing approved');
    await ok(await decide('approver2', 'G5', 'approve', req.contentHash));
    assert.deepEqual(await amlOf('G5'), { level: 'low', approvalRequired: false });
  });

  it('an approver whose own later figure now sustains the pending request may not approve it', async () => {
    await customer('G6');
    await ok(await aml('G6', '2025-09', 95, 'officer'));
    const high = await ok<SignOff>(await approval('G6'));
    await ok(await decide('approver2', 'G6', 'approve', high.contentHash));
    await ok(await aml('G6', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('G6'));
    // The approver writes the next month, low too: the officer's request stays, now resting on their figure.
    await ok(await aml('G6', '2025-11', 12, 'approver'));
    assert.equal((await ok<SignOff>(await approval('G6'))).id, req.id);
    await problem(await decide('approver', 'G6', 'approve', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('G6'), { level: 'high', approvalRequired: true }, 'nothing approved');
  });

  it('a rejection holds while the figures it saw stand, whatever month re-reads them; changed figures or the held level’s review ask again', async () => {
    await signedHigh('G2');
    await ok(await aml('G2', '2025-10', 10, 'officer'));
    const first = await ok<SignOff>(await approval('G2'));
    await ok(await decide('approver2', 'G2', 'reject', first.contentHash));
    // The same figures again: still refused, nothing asked.
    await ok(await aml('G2', '2025-10', 10, 'officer'));
    await problem(await approval('G2'), 404, 'not-found');
    // A month on, the score (read as its latest value) unchanged: November's evaluation asks nothing —
    // the approver is not asked every month about figures they refused.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/G2/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 100 }],
      }),
    );
    await problem(await approval('G2'), 404, 'not-found');
    await ok(await aml('G2', '2025-11', 10, 'officer'));
    await problem(await approval('G2'), 404, 'not-found');
    assert.deepEqual(await amlOf('G2'), { level: 'high', approvalRequired: false });
    // Changed figures: a new request, which the approver never saw.
    await ok(await aml('G2', '2025-11', 11, 'officer'));
    const again = await ok<SignOff>(await approval('G2'));
    assert.notEqual(again.id, first.id);
    assert.deepEqual([again.level, again.proposedLevel, again.period, again.status], ['high', 'low', '2025-11', 'pending']);
    assert.deepEqual(await amlOf('G2'), { level: 'high', approvalRequired: true });
    await ok(await decide('approver2', 'G2', 'reject', again.contentHash));
    await problem(await approval('G2'), 404, 'not-found');
    // 高 is reviewed every 6 months: five months on the same figures stay refused, six months on they
    // are asked again, the grade being due a fresh look.
    try {
      t.setClock(new Date('2026-04-15T04:00:00.000Z'));
      await ok(await aml('G2', '2026-04', 11, 'officer'));
      await problem(await approval('G2'), 404, 'not-found');
      t.setClock(new Date('2026-05-15T04:00:00.000Z'));
      await ok(await aml('G2', '2026-05', 11, 'officer'));
      const due = await ok<SignOff>(await approval('G2'));
      assert.deepEqual([due.proposedLevel, due.period, due.status], ['low', '2026-05', 'pending']);
    } finally {
      t.setClock(START);
    }
  });

  it('a closing withdraws a pending lowering request; reopening restores it with its maker', async () => {
    await signedHigh('G3');
    await ok(await aml('G3', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('G3'));
    t.setClock(new Date(START.getTime() + 60_000));
    try {
      await ok(await t.req('admin', 'POST', '/v1/subjects/G3/close', { reason: '销户' }));
      t.setClock(new Date(START.getTime() + 120_000));
      await ok(await t.req('admin', 'POST', '/v1/subjects/G3/reopen', {}));
    } finally {
      t.setClock(START);
    }
    const restored = await ok<SignOff>(await approval('G3'));
    assert.notEqual(restored.id, req.id);
    assert.deepEqual(
      [restored.level, restored.proposedLevel, restored.period, restored.requestedBy, restored.status],
      ['high', 'low', req.period, req.requestedBy, 'pending'],
    );
    assert.deepEqual(await amlOf('G3'), { level: 'high', approvalRequired: true });
    // Its maker still may not decide it; another approver lets 低 take effect.
    await problem(await decide('officer', 'G3', 'approve', restored.contentHash), 403);
    await ok(await decide('approver2', 'G3', 'approve', restored.contentHash));
    assert.deepEqual(await amlOf('G3'), { level: 'low', approvalRequired: false });
  });

  it('approving after the data moved back to 高 is a 409 that supersedes the request and changes nothing', async () => {
    await signedHigh('G4');
    await ok(await aml('G4', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('G4'));
    // An import puts the figure back at 高; no re-tier yet, so the request still waits.
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer2}` },
      body: 'subject,metric,period,value\nG4,aml_customer_risk,2025-10,96\nG4,avg_daily_balance,2025-10,100',
    });
    assert.equal(imported.status, 201, await imported.text());
    assert.equal((await ok<SignOff>(await approval('G4'))).id, req.id);
    const res = await decide('approver2', 'G4', 'approve', req.contentHash);
    const body = (await res.json()) as KitError & { type: string };
    assert.equal(res.status, 409, JSON.stringify(body));
    assert.equal(body.type, 'https://tierkit.dev/problems/conflict');
    assert.deepEqual(
      body.errors?.map((e) => [e.code, e.params?.computed]),
      [['lowering_data_moved', 'high']],
    );
    // The console says what happened in the approver's language, not "conflict".
    assert.match(whyFailed(body, 'zh-CN'), /^未批准：降级申请提交后数据已变化/);
    assert.match(whyFailed(body, 'zh-TW'), /^未核准：降級申請提交後資料已變動/);
    assert.match(whyFailed(body, 'en'), /^Not approved: the data changed after this lowering was requested/);
    assert.deepEqual(await amlOf('G4'), { level: 'high', approvalRequired: false }, 'the approved 高 stays, waiting for nobody');
    await problem(await approval('G4'), 404, 'not-found');
    const history = await ok<{ items: { from: string | null; to: string }[] }>(
      await t.req('viewer', 'GET', '/v1/subjects/G4/history?scheme=aml-test'),
    );
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to]),
      [[null, 'high']],
      'no move',
    );
    // Asked again, it is the superseded sign-off's answer.
    await problem(await decide('approver2', 'G4', 'approve', req.contentHash), 409, 'conflict');
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    await problem(await approval('G4'), 404, 'not-found');
  });
  it('an approval refused because the data moved changes nothing else: the import waits for its re-tier', async () => {
    await signedHigh('G7');
    await ok(await aml('G7', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('G7'));
    const events = async () =>
      (await ok<{ items: { scheme: string; from: string | null; to: string }[] }>(await t.req('viewer', 'GET', '/v1/subjects/G7/history')))
        .items;
    const before = await events();
    // The import puts the score back at 高 and lifts the balances a card tier reads; no re-tier yet.
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer2}` },
      body: 'subject,metric,period,value\nG7,aml_customer_risk,2025-10,96\nG7,avg_daily_balance,2025-08,900000000\nG7,avg_daily_balance,2025-09,900000000\nG7,avg_daily_balance,2025-10,900000000',
    });
    assert.equal(imported.status, 201, await imported.text());
    await problem(await decide('approver2', 'G7', 'approve', req.contentHash), 409, 'conflict');
    assert.deepEqual(await events(), before, 'a refused approval moves no level of any scheme');
    assert.deepEqual(await amlOf('G7'), { level: 'high', approvalRequired: false });
    await problem(await approval('G7'), 404, 'not-found');
    // The re-tier applies the import, in its maker's name.
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    assert.ok((await events()).length > before.length, 'the re-tier moved the card tier');
  });
});
