import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AuditRecord, TiersResponse } from '@tierkit/core';
import { listDecisions } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * What waits for a second person when a customer leaves the bank: the closing withdraws it in its own
 * transaction, the queue stops showing it, a checker who decides it anyway is told the customer left,
 * and a reopening does not bring it back.
 */

interface Decided {
  id: string;
  status: string;
  contentHash: string;
  decidedBy: string | null;
  decisionNote: string | null;
  decisions: { action: string; actor: string; note: string | null }[];
}
type Problem = { type: string; errors?: { path: string; code?: string; params?: { closedAt?: string } }[] };

forEachDialect('closing withdraws what waits for a second person', (f) => {
  let t: FourEyesTenant;
  const queueIds = async () =>
    (await ok<{ items: { id: string }[] }>(await t.req('viewer', 'GET', '/v1/approvals'))).items.map((i) => i.id);
  const amlOf = async (id: string) =>
    (await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`))).assignments[0];
  const conflict = async (res: Response): Promise<Problem> => {
    const body = (await res.json()) as Problem;
    assert.equal(res.status, 409, JSON.stringify(body));
    assert.equal(body.type, 'https://tierkit.dev/problems/conflict');
    return body;
  };

  before(async () => {
    t = await fourEyesTenant(f, 'fe-closing', START);
  });

  it('withdraws the pending sign-off and override request, on the item and its trail; deciding either is a 409; reopening restores the sign-off, not the request', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/X1', { kind: 'customer', displayName: '王芳' }), 201);
    // A 高 risk grade caused by the approver: someone else must sign it off.
    await ok(
      await t.req('approver', 'PUT', '/v1/subjects/X1/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
      }),
    );
    const signOff = await ok<{ id: string; contentHash: string }>(await t.req('viewer', 'GET', '/v1/subjects/X1/levels/aml-test/approval'));
    const request = await ok<{ id: string; contentHash: string }>(await requestOverride(t, 'X1'), 201);
    assert.deepEqual((await queueIds()).sort(), [request.id, 'X1:aml-test'].sort());
    assert.equal((await amlOf('X1'))?.approvalRequired, true);

    await ok(await t.req('admin', 'POST', '/v1/subjects/X1/close', { reason: '客户主动销户' }));

    // The override request: withdrawn by the closing's actor, and its trail says why.
    const withdrawn = await ok<Decided>(await t.req('viewer', 'GET', `/v1/overrides/${request.id}`));
    assert.equal(withdrawn.status, 'withdrawn');
    assert.equal(withdrawn.decisionNote, 'customer closed');
    assert.deepEqual(
      withdrawn.decisions.map((d) => [d.action, d.note]),
      [
        ['requested', null],
        ['withdrawn', 'customer closed'],
      ],
    );
    assert.equal(withdrawn.decisions[1]?.actor, withdrawn.decidedBy);

    // The sign-off: none pending any more, the level no longer shown as waiting, its trail says why.
    const noneWaiting = await t.req('viewer', 'GET', '/v1/subjects/X1/levels/aml-test/approval');
    assert.equal(noneWaiting.status, 404);
    await noneWaiting.body?.cancel();
    assert.equal((await amlOf('X1'))?.approvalRequired, false);
    const steps = await listDecisions(f.db.db, t.tenantId, 'level', signOff.id);
    assert.deepEqual(
      steps.map((d) => [d.action, d.note]),
      [
        ['requested', null],
        ['withdrawn', 'customer closed'],
      ],
    );
    const row = await f.db.db
      .selectFrom('level_approvals')
      .select(['status', 'decision_note'])
      .where('id', '=', signOff.id)
      .executeTakeFirst();
    assert.deepEqual(row, { status: 'withdrawn', decision_note: 'customer closed' });

    assert.deepEqual(await queueIds(), [], 'the queue no longer shows either');

    // A checker who had the items open decides them: told the customer left, nothing changes.
    const overrideRefused = await conflict(
      await t.req('approver', 'POST', `/v1/overrides/${request.id}/approve`, { contentHash: request.contentHash }),
    );
    assert.deepEqual(
      overrideRefused.errors?.map((e) => [e.path, e.code, typeof e.params?.closedAt]),
      [['params.overrideId', 'subject_closed', 'string']],
    );
    const levelRefused = await conflict(
      await t.req('approver2', 'POST', '/v1/subjects/X1/levels/aml-test/approve', { contentHash: signOff.contentHash }),
    );
    assert.deepEqual(
      levelRefused.errors?.map((e) => [e.path, e.code]),
      [['params.id', 'subject_closed']],
    );
    await conflict(
      await t.req('approver2', 'POST', '/v1/subjects/X1/levels/aml-test/reject', { contentHash: signOff.contentHash, note: 'n/a' }),
    );
    assert.equal((await ok<Decided>(await t.req('viewer', 'GET', `/v1/overrides/${request.id}`))).status, 'withdrawn');

    // Reopened: the override request stays withdrawn (its RM files anew); the level still needs its
    // sign-off, so the one the closing withdrew is pending again, as it was (four-eyes-sign-off-kept.test.ts).
    await ok(await t.req('admin', 'POST', '/v1/subjects/X1/reopen', {}));
    assert.equal((await ok<Decided>(await t.req('viewer', 'GET', `/v1/overrides/${request.id}`))).status, 'withdrawn');
    const restored = await ok<{ contentHash: string; status: string }>(
      await t.req('viewer', 'GET', '/v1/subjects/X1/levels/aml-test/approval'),
    );
    assert.deepEqual([restored.status, restored.contentHash], ['pending', signOff.contentHash]);
    assert.deepEqual(await queueIds(), ['X1:aml-test']);
  });

  it('the closing’s audit record names what it withdrew; a customer with nothing pending closes as before', async () => {
    for (const id of ['X2', 'X3'])
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '李雷' }), 201);
    const request = await ok<{ id: string }>(await requestOverride(t, 'X2'), 201);
    await ok(
      await t.req('approver', 'PUT', '/v1/subjects/X2/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
      }),
    );
    const signOff = await ok<{ id: string }>(await t.req('viewer', 'GET', '/v1/subjects/X2/levels/aml-test/approval'));
    await ok(await t.req('admin', 'POST', '/v1/subjects/X2/close', { reason: '销户' }));
    await ok(await t.req('admin', 'POST', '/v1/subjects/X3/close', { reason: '销户' }));
    const trail = await ok<{ items: AuditRecord[] }>(await t.req('admin', 'GET', '/v1/audit?limit=50'));
    const closings = trail.items.filter(
      (r) => r.phase === 'result' && r.route === '/v1/subjects/{id}/close' && ['X2', 'X3'].includes(r.target.id ?? ''),
    );
    assert.deepEqual(
      closings.map((r) => [r.target.id, r.detail?.withdrawnOverrides ?? null, r.detail?.withdrawnSignOffs ?? null]),
      [
        ['X3', null, null],
        ['X2', [request.id], [signOff.id]],
      ],
    );
  });

  it('an import that closes a customer withdraws their pending request alike', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/X4', { kind: 'customer', displayName: '韩梅' }), 201);
    const request = await ok<{ id: string }>(await requestOverride(t, 'X4'), 201);
    const res = await t.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.admin}` },
      body: 'id,name,closedAt,closedReason\nX4,韩梅,2025-11-14T00:00:00Z,销户\n',
    });
    assert.equal(res.status, 201, await res.clone().text());
    const withdrawn = await ok<Decided>(await t.req('viewer', 'GET', `/v1/overrides/${request.id}`));
    assert.deepEqual([withdrawn.status, withdrawn.decisionNote], ['withdrawn', 'customer closed']);
    assert.ok(!(await queueIds()).includes(request.id));
    // The import's audit record says what its closings withdrew, as a closing's own does.
    const trail = await ok<{ items: AuditRecord[] }>(await t.req('admin', 'GET', '/v1/audit?limit=50'));
    const imported = trail.items.find((r) => r.phase === 'result' && r.route === '/v1/imports');
    // Beside them, the closings it sent to a second person (none: the date is within three months).
    assert.deepEqual(imported?.detail?.withdrawn, {
      overrides: 1,
      signOffs: 0,
      overrideIds: [request.id],
      signOffIds: [],
      closingRequests: 0,
      closingRequestsWaiting: 0,
    });
  });
});
