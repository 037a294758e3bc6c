import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findSubjectByExternalId } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * A step on an item of a closed customer — a level decision; an edit, withdrawal or decision of an
 * override request — answers in the order a bank expects: who may act on the item (403/404 as for an
 * open customer's), then where the item stands (decided before the closing: as it would answer for an
 * open customer), and only then that the customer is closed (409 `subject_closed`). So nobody without
 * the right to act learns that the customer left, and a refusal changes nothing.
 */

type Problem = { type: string; errors?: { path: string; code?: string }[] };

forEachDialect('a closed customer’s items: permission and status before subject_closed', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'fe-closed-order', START);
  });

  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const close = async (id: string) => ok(await t.req('admin', 'POST', `/v1/subjects/${id}/close`, { reason: '销户' }));
  const version = async (id: string) => {
    const s = await findSubjectByExternalId(f.db.db, t.tenantId, id);
    assert.ok(s, id);
    return s.version;
  };
  /** The answer's status, problem type and error codes (`subject_closed` among them or not). */
  const answer = async (res: Response) => {
    const body = (await res.json()) as Problem;
    return {
      status: res.status,
      type: body.type.replace('https://tierkit.dev/problems/', ''),
      codes: (body.errors ?? []).map((e) => e.code),
    };
  };
  const CLOSED = { status: 409, type: 'conflict', codes: ['subject_closed'] };
  const FOUR_EYES = { status: 403, type: 'four-eyes', codes: [] };
  const FORBIDDEN = { status: 403, type: 'forbidden', codes: [] };
  const overrideStep = (who: Person, id: string, step: 'edit' | 'withdraw' | 'approve' | 'reject', contentHash = '') =>
    step === 'edit'
      ? t.req(who, 'PATCH', `/v1/overrides/${id}`, { reason: '改' })
      : t.req(who, 'POST', `/v1/overrides/${id}/${step}`, step === 'withdraw' ? {} : { contentHash, note: '核实' });
  const statusOf = async (id: string) => (await ok<{ status: string }>(await t.req('viewer', 'GET', `/v1/overrides/${id}`))).status;

  it('a request the closing withdrew: whoever may not act on it is refused as for an open customer; whoever may is told it closed', async () => {
    await customer('CO1');
    // Filed by an approver, who may decide requests but not their own.
    const request = await ok<{ id: string; contentHash: string }>(await requestOverride(t, 'CO1', {}, 'approver'), 201);
    await close('CO1');
    const v = await version('CO1');
    // Not the requester: may neither edit nor withdraw it (it stays its requester's).
    assert.deepEqual(await answer(await overrideStep('officer', request.id, 'edit')), FORBIDDEN);
    assert.deepEqual(await answer(await overrideStep('officer', request.id, 'withdraw')), FORBIDDEN);
    // The requester may not decide their own, whatever the customer's state.
    assert.deepEqual(await answer(await overrideStep('approver', request.id, 'approve', request.contentHash)), FOUR_EYES);
    assert.deepEqual(await answer(await overrideStep('approver', request.id, 'reject', request.contentHash)), FOUR_EYES);
    // Whoever may act on it learns why it can no longer be done.
    assert.deepEqual(await answer(await overrideStep('approver', request.id, 'edit')), CLOSED);
    assert.deepEqual(await answer(await overrideStep('approver', request.id, 'withdraw')), CLOSED);
    assert.deepEqual(await answer(await overrideStep('approver2', request.id, 'approve', request.contentHash)), CLOSED);
    assert.deepEqual(await answer(await overrideStep('approver2', request.id, 'reject', request.contentHash)), CLOSED);
    assert.equal(await statusOf(request.id), 'withdrawn');
    assert.equal(await version('CO1'), v, 'no refusal changed anything');
  });

  it('a request decided or withdrawn before the closing answers as it would for an open customer', async () => {
    await customer('CO2');
    const rejected = await ok<{ id: string; contentHash: string }>(await requestOverride(t, 'CO2'), 201);
    ok(await overrideStep('approver', rejected.id, 'reject', rejected.contentHash));
    // Withdrawn by its requester before the closing, with the very note a closing leaves.
    const withdrawn = await ok<{ id: string; contentHash: string }>(await requestOverride(t, 'CO2'), 201);
    ok(await t.req('officer', 'POST', `/v1/overrides/${withdrawn.id}/withdraw`, { note: 'customer closed' }));
    // A moment later (the clock otherwise stands still in these tests) the customer is closed.
    t.setClock(new Date(START.getTime() + 60_000));
    await close('CO2');
    const v = await version('CO2');
    const settled = { status: 409, type: 'conflict', codes: [] };
    for (const r of [rejected, withdrawn]) {
      assert.deepEqual(await answer(await overrideStep('officer', r.id, 'edit')), settled, `${r.id}: edit`);
      assert.deepEqual(await answer(await overrideStep('officer', r.id, 'withdraw')), settled, `${r.id}: withdraw`);
      assert.deepEqual(await answer(await overrideStep('approver2', r.id, 'approve', r.contentHash)), settled, `${r.id}: approve`);
      // Permission still comes first.
      assert.deepEqual(await answer(await overrideStep('officer2', r.id, 'withdraw')), FORBIDDEN);
    }
    assert.equal(await statusOf(rejected.id), 'rejected');
    assert.equal(await statusOf(withdrawn.id), 'withdrawn');
    assert.equal(await version('CO2'), v);
  });

  it('a level sign-off: its requester is refused by four eyes, another approver told the customer closed; one decided before the closing is not waiting', async () => {
    // The approver's upload grades the customer 高: the approver may not sign it off.
    for (const id of ['CO3', 'CO4']) {
      await customer(id);
      ok(
        await t.req('approver', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
        }),
      );
    }
    const signOff = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', '/v1/subjects/CO3/levels/aml-test/approval'));
    await close('CO3');
    const v = await version('CO3');
    const decide = (who: Person, id: string, action: 'approve' | 'reject', contentHash: string) =>
      t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/${action}`, { contentHash, note: '核实' });
    assert.deepEqual(await answer(await decide('approver', 'CO3', 'approve', signOff.contentHash)), FOUR_EYES);
    assert.deepEqual(await answer(await decide('approver', 'CO3', 'reject', signOff.contentHash)), FOUR_EYES);
    assert.deepEqual(await answer(await decide('approver2', 'CO3', 'approve', signOff.contentHash)), CLOSED);
    assert.deepEqual(await answer(await decide('approver2', 'CO3', 'reject', signOff.contentHash)), CLOSED);
    assert.equal(await version('CO3'), v, 'no refusal changed anything');

    // Signed off, then closed: nothing is waiting, as for an open customer whose sign-off was decided.
    const decided = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', '/v1/subjects/CO4/levels/aml-test/approval'));
    ok(await decide('approver2', 'CO4', 'approve', decided.contentHash));
    await close('CO4');
    const NOT_WAITING = { status: 404, type: 'not-found', codes: [] };
    assert.deepEqual(await answer(await decide('approver2', 'CO4', 'approve', decided.contentHash)), NOT_WAITING);
    assert.deepEqual(await answer(await decide('admin', 'CO4', 'reject', decided.contentHash)), NOT_WAITING);
  });
});
