import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import type { TiersResponse } from '@tierkit/core';
import { sql } from 'kysely';
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
  const importAs = async (who: Person, csv: string, mode = '') => {
    const res = await t.app.request(`/v1/imports?kind=metrics&amounts=fen${mode}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys[who]}` },
      body: `subject,metric,period,value\n${csv}`,
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    return JSON.parse(text) as { rejectedRows: number };
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

  it('a writer an instance of the release before recorded in its table only (a rolling deploy) is still barred', async () => {
    await signedHigh('IS8');
    // The officer's lower figure opens the lowering; the value's row names the officer.
    await ok(await aml('IS8', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('IS8'));
    assert.equal(req.proposedLevel, 'low');
    // Then the approver's write through an instance not yet replaced: it changes the value and records
    // its writer in sign_off_input_writers, as that release did, leaving the row's writer as it was.
    const db = f.db.db;
    const { id } = await db
      .selectFrom('subjects')
      .select('id')
      .where('tenant_id', '=', t.tenantId)
      .where('external_id', '=', 'IS8')
      .executeTakeFirstOrThrow();
    const key = await db
      .selectFrom('api_keys')
      .select('id')
      .where('tenant_id', '=', t.tenantId)
      .where('label', '=', 'approver')
      .executeTakeFirstOrThrow();
    await sql`UPDATE metrics SET value = 9
      WHERE tenant_id = ${t.tenantId} AND subject_id = ${id} AND metric = 'aml_customer_risk' AND period = '2025-10'`.execute(db);
    await sql`INSERT INTO sign_off_input_writers (tenant_id, subject_id, metric, period, written_by, written_at)
      VALUES (${t.tenantId}, ${id}, 'aml_customer_risk', '2025-10', ${`key:${key.id}`}, ${START.toISOString()})`.execute(db);
    const queue = await ok<{ items: QueueItem[] }>(await t.req('officer', 'GET', '/v1/approvals?kind=level&subject=IS8'));
    assert.deepEqual(
      queue.items.map((i) => [i.proposedLevel, i.approvalBlocked]),
      [['low', null]],
      'approver2 may still decide it',
    );
    await problem(await decide('approver', 'IS8', req.contentHash), 403, 'four-eyes');
    assert.deepEqual(await amlOf('IS8'), { level: 'high', approvalRequired: true }, 'nothing approved');
    await ok(await decide('approver2', 'IS8', req.contentHash));
  });

  it('a value the approver imported and the officer then changed through the API is the officer’s: the approver may approve', async () => {
    await signedHigh('IS9');
    // The approver's file leaves IS9 high; the officer's later figure of the same month lowers it.
    await importAs('approver', 'IS9,aml_customer_risk,2025-10,90');
    await ok(await aml('IS9', '2025-10', 10, 'officer'));
    const req = await ok<SignOff>(await approval('IS9'));
    assert.deepEqual([req.level, req.proposedLevel], ['high', 'low']);
    await ok(await decide('approver', 'IS9', req.contentHash));
    assert.deepEqual(await amlOf('IS9'), { level: 'low', approvalRequired: false });
  });

  it('an import in valid-rows mode records no importer for the risk-input row it rejected', async () => {
    await signedHigh('IS10');
    await ok(await aml('IS10', '2025-10', 10, 'officer'));
    // The file's first row gives the stored value again (no change, no writer); its second, another
    // value for the same month, is refused as a duplicate and written nowhere — writer included.
    const answer = await importAs('approver', 'IS10,aml_customer_risk,2025-10,10\nIS10,aml_customer_risk,2025-10,3', '&mode=valid-rows');
    assert.equal(answer.rejectedRows, 1, JSON.stringify(answer));
    const req = await ok<SignOff>(await approval('IS10'));
    assert.equal(req.proposedLevel, 'low');
    await ok(await decide('approver', 'IS10', req.contentHash));
  });

  it('a write of a metric feeding no sign-off leaves the risk input’s writer as it was: the importer stays barred', async () => {
    await signedHigh('IS11');
    await importAs('approver', 'IS11,aml_customer_risk,2025-10,10');
    // The officer's balances of the same month, by API write and by import: no sign-off reads them.
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/IS11/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 100 }],
      }),
    );
    await importAs('officer', 'IS11,avg_daily_balance,2025-10,200');
    const req = await ok<SignOff>(await approval('IS11'));
    assert.equal(req.proposedLevel, 'low');
    await problem(await decide('approver', 'IS11', req.contentHash), 403, 'four-eyes');
    await ok(await decide('approver2', 'IS11', req.contentHash));
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
