import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import { findSubjectByExternalId } from '@tierkit/db';
import { sql } from 'kysely';
import type { TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * A level its policy marks approvalRequired (AML high here) that no approver decided is pending a
 * sign-off of that very level, whatever path led there: a closing and a reopening, a re-evaluation
 * that keeps the level, a re-tier job. And a sign-off of a level the customer no longer has ends,
 * recorded, and can no longer be approved.
 */

interface LevelApproval {
  id: string;
  level: string;
  from: string | null;
  period: string;
  status: string;
  contentHash: string;
  requestedBy: string;
  decisionNote: string | null;
}

forEachDialect('four eyes: a level sign-off cannot be made to vanish', (f) => {
  let t: FourEyesTenant;
  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const aml = (id: string, period: string, score: number, who: Person = 'officer') =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
  const amlOf = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`));
    const a = tiers.assignments[0];
    assert.ok(a);
    return { level: a.level, approvalRequired: a.approvalRequired };
  };
  const approval = (id: string) => t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`);
  const queued = async (id: string) =>
    (await ok<{ items: { id: string }[] }>(await t.req('viewer', 'GET', `/v1/approvals?subject=${id}`))).items.map((i) => i.id);
  const trail = async (id: string) => {
    const subject = await findSubjectByExternalId(f.db.db, t.tenantId, id);
    assert.ok(subject);
    return (
      await sql<{ request_id: string; action: string; actor: string; note: string | null }>`SELECT request_id, action, actor, note
        FROM approval_decisions WHERE tenant_id = ${t.tenantId} AND subject_id = ${subject.id} ORDER BY id`.execute(f.db.db)
    ).rows;
  };
  /** The state a release before this one left behind: the sign-off withdrawn (or never opened) and the level not waiting. */
  const lose = async (id: string, how: 'withdrawn' | 'deleted') => {
    const subject = await findSubjectByExternalId(f.db.db, t.tenantId, id);
    assert.ok(subject);
    if (how === 'withdrawn')
      await sql`UPDATE level_approvals SET status = 'withdrawn', decided_by = 'key:x', decided_at = ${START.toISOString()}
        WHERE tenant_id = ${t.tenantId} AND subject_id = ${subject.id}`.execute(f.db.db);
    else await sql`DELETE FROM level_approvals WHERE tenant_id = ${t.tenantId} AND subject_id = ${subject.id}`.execute(f.db.db);
    await sql`UPDATE assignments SET approval_required = 0 WHERE tenant_id = ${t.tenantId} AND subject_id = ${subject.id}`.execute(f.db.db);
  };

  before(async () => {
    t = await fourEyesTenant(f, 'fe-kept', START);
  });

  it('closing and reopening a customer restores the pending sign-off the closing withdrew; one approver decides it', async () => {
    await customer('K1');
    await ok(await aml('K1', '2025-10', 95, 'approver'));
    const before = await ok<LevelApproval>(await approval('K1'));
    await ok(await t.req('officer', 'POST', '/v1/subjects/K1/close', { reason: 'test' }));
    await problem(await approval('K1'), 404, 'not-found');
    await ok(await t.req('officer', 'POST', '/v1/subjects/K1/reopen', {}));

    const after = await ok<LevelApproval>(await approval('K1'));
    assert.notEqual(after.id, before.id, 'a new request: the withdrawn one stays withdrawn on the record');
    assert.deepEqual(
      [after.level, after.from, after.period, after.status, after.contentHash, after.requestedBy],
      [before.level, before.from, before.period, 'pending', before.contentHash, before.requestedBy],
      'restored as it was, with its requester',
    );
    assert.deepEqual(await amlOf('K1'), { level: 'high', approvalRequired: true });
    assert.deepEqual(await queued('K1'), ['K1:aml-test']);
    const steps = await trail('K1');
    assert.deepEqual(
      steps.map((s) => [s.request_id, s.action]),
      [
        [before.id, 'requested'],
        [before.id, 'withdrawn'],
        [after.id, 'requested'],
      ],
    );
    assert.equal(steps[2]?.note, `restores ${before.id} (withdrawn)`);
    assert.match(steps[2]?.actor ?? '', /^key:/, 'the reopening did it');

    // Who caused the level still may not decide it; another approver may, and then a closing and a reopening open nothing.
    await problem(
      await t.req('approver', 'POST', '/v1/subjects/K1/levels/aml-test/approve', { contentHash: after.contentHash }),
      403,
      'four-eyes',
    );
    await ok(await t.req('approver2', 'POST', '/v1/subjects/K1/levels/aml-test/approve', { contentHash: after.contentHash }));
    await ok(await t.req('officer', 'POST', '/v1/subjects/K1/close', { reason: 'test' }));
    await ok(await t.req('officer', 'POST', '/v1/subjects/K1/reopen', {}));
    await problem(await approval('K1'), 404, 'not-found');
    assert.deepEqual(await amlOf('K1'), { level: 'high', approvalRequired: false });
  });

  it('a re-evaluation that keeps a level no approver decided opens its sign-off; a decided one stays decided', async () => {
    await customer('K2');
    await ok(await aml('K2', '2025-09', 95));
    const lost = await ok<LevelApproval>(await approval('K2'));
    await lose('K2', 'withdrawn');
    await ok(await aml('K2', '2025-10', 96));
    const again = await ok<LevelApproval>(await approval('K2'));
    assert.deepEqual([again.level, again.period, again.contentHash], ['high', '2025-09', lost.contentHash]);
    assert.deepEqual(await amlOf('K2'), { level: 'high', approvalRequired: true });

    await customer('K3');
    await ok(await aml('K3', '2025-09', 95));
    await lose('K3', 'deleted');
    await ok(await aml('K3', '2025-10', 96));
    const opened = await ok<LevelApproval>(await approval('K3'));
    assert.deepEqual([opened.level, opened.status], ['high', 'pending']);
    assert.equal((await trail('K3')).at(-1)?.note, 'level held with no sign-off');

    await ok(
      await t.req('approver', 'POST', '/v1/subjects/K3/levels/aml-test/reject', { contentHash: opened.contentHash, note: 'disputed' }),
    );
    await ok(await aml('K3', '2025-11', 97));
    await problem(await approval('K3'), 404, 'not-found');
  });

  it('a re-tier job opens the sign-off of a level held with none, and opens none for a level signed off', async () => {
    for (const id of ['K4', 'K5']) {
      await customer(id);
      await ok(await aml(id, '2025-09', 95));
    }
    await lose('K4', 'withdrawn');
    const k5 = await ok<LevelApproval>(await approval('K5'));
    await ok(await t.req('approver', 'POST', '/v1/subjects/K5/levels/aml-test/approve', { contentHash: k5.contentHash }));
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer}` },
      body: 'subject,metric,period,value\nK4,aml_customer_risk,2025-10,95\nK5,aml_customer_risk,2025-10,95\nK5,avg_daily_balance,2025-10,100',
    });
    assert.equal(imported.status, 201, await imported.text());
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    const k4 = await ok<LevelApproval>(await approval('K4'));
    assert.deepEqual([k4.level, k4.status], ['high', 'pending']);
    assert.deepEqual(await amlOf('K4'), { level: 'high', approvalRequired: true });
    await problem(await approval('K5'), 404, 'not-found');
    assert.deepEqual(await amlOf('K5'), { level: 'high', approvalRequired: false });
  });

  it('a sign-off of a level the customer no longer has is superseded, recorded, and cannot be approved (409)', async () => {
    await customer('K6');
    await ok(await aml('K6', '2025-09', 95));
    const high = await ok<LevelApproval>(await approval('K6'));
    await ok(await aml('K6', '2025-10', 10));
    assert.deepEqual(await amlOf('K6'), { level: 'low', approvalRequired: false });
    await problem(await approval('K6'), 404, 'not-found');
    assert.deepEqual(await queued('K6'), []);
    const res = await t.req('approver', 'POST', '/v1/subjects/K6/levels/aml-test/approve', { contentHash: high.contentHash });
    const body = (await res.json()) as { type: string; errors?: { code: string; params?: Record<string, string> }[] };
    assert.equal(res.status, 409, JSON.stringify(body));
    assert.equal(body.type, 'https://tierkit.dev/problems/conflict');
    assert.equal(body.errors?.[0]?.code, 'sign_off_superseded');
    assert.equal(body.errors?.[0]?.params?.level, 'high');
    const last = (await trail('K6')).at(-1);
    assert.deepEqual([last?.request_id, last?.action, last?.actor], [high.id, 'superseded', 'system']);
    assert.match(last?.note ?? '', /^superseded by low \(2025-10\), moved by key:/);
    // Back at high: a sign-off of its own.
    await ok(await aml('K6', '2025-11', 95));
    const back = await ok<LevelApproval>(await approval('K6'));
    assert.deepEqual([back.from, back.level, back.period], ['low', 'high', '2025-11']);
  });

  it('the queue shows what a level sign-off approves: the deciding rule, the figures and the line the level holds by', async () => {
    await customer('K7');
    await ok(await aml('K7', '2025-10', 93));
    const page = await ok<{ items: { id: string; period: string | null; why?: unknown }[] }>(
      await t.req('viewer', 'GET', '/v1/approvals?subject=K7&locale=en'),
    );
    const item = page.items.find((i) => i.id === 'K7:aml-test');
    assert.ok(item);
    assert.equal(item.period, '2025-10');
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/K7/tiers?scheme=aml-test'));
    const e = tiers.assignments[0]?.explanation;
    assert.ok(e && 'id' in e.decidedBy);
    assert.deepEqual(item.why, {
      period: '2025-10',
      rule: e.decidedBy.label.en,
      ruleId: e.decidedBy.id,
      figures: [{ metric: 'aml_customer_risk', label: 'customer risk', value: 93, unit: 'score', threshold: 80 }],
    });
  });

  it('a level sign-off whose stored explanation says no rule still lists, with why null, not a failed page', async () => {
    await customer('K8');
    await ok(await aml('K8', '2025-10', 93));
    const subject = await findSubjectByExternalId(f.db.db, t.tenantId, 'K8');
    assert.ok(subject);
    // As a hand-loaded or very old row may hold it: no decidedBy, no inputs.
    await sql`UPDATE assignments SET explanation = '{}' WHERE tenant_id = ${t.tenantId} AND subject_id = ${subject.id}`.execute(f.db.db);
    const page = await ok<{ items: { id: string; why?: unknown }[] }>(await t.req('viewer', 'GET', '/v1/approvals?subject=K8&locale=en'));
    assert.deepEqual(
      page.items.map((i) => [i.id, i.why]),
      [['K8:aml-test', null]],
    );
  });
});
