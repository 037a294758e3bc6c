import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { findSubjectByExternalId } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { putStaffGranted } from '../support/granted-staff.js';
import { importClosing } from '../support/import-closing.js';
import {
  approvedOverride,
  fourEyesTenant,
  ok,
  requestOverride,
  START,
  type FourEyesTenant,
  type Who,
  gradedHigh,
  signOffOf,
} from '../support/four-eyes-fixture.js';

/*
 * A step on an item of a closed customer — a level decision; an edit, withdrawal or decision of an
 * override request — answers in the order a bank expects: who may act on the item (403/404 as for an
 * open customer's), then where the item stands (decided before the closing: as it would answer for an
 * open customer), and only then that the customer is closed (409 `subject_closed`). So nobody without
 * the right to act learns that the customer left, and a refusal changes nothing. Only what the
 * closing the customer is under withdrew says `subject_closed`: not what a person withdrew before it
 * (even with its note), nor what an earlier closing withdrew before the customer was reopened.
 */

type Problem = { type: string; detail?: string; errors?: { path: string; code?: string }[] };
type Request = { id: string; contentHash: string };

forEachDialect('a closed customer’s items: permission and status before subject_closed', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'fe-closed-order', START);
    // Relationship managers, each with a book of their own: two officers and an approver.
    // An approver, even within a book, is a grant of power: a second admin approves it (tests/support/granted-staff.ts).
    for (const [id, role] of [
      ['RM1', 'officer'],
      ['RM2', 'officer'],
      ['RMA', 'approver'],
    ] as const)
      assert.ok(
        [201, 202].includes(
          await putStaffGranted((c, m, p, b) => t.req({ credential: c }, m, p, b), t.keys.admin, t.keys.admin2, id, {
            name: id,
            role,
            scope: 'book',
          }),
        ),
      );
  });
  /** The clock of the steps that follow, `minutes` after START: closings and reopenings of one customer at distinct instants. */
  const at = (minutes: number) => {
    const now = new Date(START.getTime() + minutes * 60_000);
    t.setClock(now);
    return now;
  };

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
  /** {@link answer} and its words, `id` replaced: the same refusal for two items reads the same. */
  const told = async (res: Response, id: string) => {
    const body = (await res.clone().json()) as Problem;
    return { ...(await answer(res)), detail: body.detail?.replaceAll(id, '<id>') };
  };
  const CLOSED = { status: 409, type: 'conflict', codes: ['subject_closed'] };
  const FOUR_EYES = { status: 403, type: 'four-eyes', codes: [] };
  const FORBIDDEN = { status: 403, type: 'forbidden', codes: [] };
  const NOT_FOUND = { status: 404, type: 'not-found', codes: [] };
  /** A step on a request no longer pending: where it stands, as another checker's decision first would tell (s33-gov). */
  const SETTLED = { status: 409, type: 'conflict', codes: ['already_decided'] };
  const overrideStep = (who: Who, id: string, step: 'edit' | 'withdraw' | 'approve' | 'reject', contentHash = '') =>
    step === 'edit'
      ? t.req(who, 'PATCH', `/v1/overrides/${id}`, { reason: '改' })
      : t.req(who, 'POST', `/v1/overrides/${id}/${step}`, step === 'withdraw' ? {} : { contentHash, note: '核实' });
  const decide = (who: Who, id: string, action: 'approve' | 'reject', contentHash: string) =>
    t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/${action}`, { contentHash, note: '核实' });
  /** A customer whose level the approver's upload made 高, waiting for a sign-off the approver may not give. */
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
    for (const r of [rejected, withdrawn]) {
      assert.deepEqual(await answer(await overrideStep('officer', r.id, 'edit')), SETTLED, `${r.id}: edit`);
      assert.deepEqual(await answer(await overrideStep('officer', r.id, 'withdraw')), SETTLED, `${r.id}: withdraw`);
      assert.deepEqual(await answer(await overrideStep('approver2', r.id, 'approve', r.contentHash)), SETTLED, `${r.id}: approve`);
      // Permission still comes first.
      assert.deepEqual(await answer(await overrideStep('officer2', r.id, 'withdraw')), FORBIDDEN);
    }
    assert.equal(await statusOf(rejected.id), 'rejected');
    assert.equal(await statusOf(withdrawn.id), 'withdrawn');
    assert.equal(await version('CO2'), v);
  });

  it('a level sign-off: its requester is refused by four eyes, another approver told the customer closed; one decided before the closing answers already decided', async () => {
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
    assert.deepEqual(await answer(await decide('approver', 'CO3', 'approve', signOff.contentHash)), FOUR_EYES);
    assert.deepEqual(await answer(await decide('approver', 'CO3', 'reject', signOff.contentHash)), FOUR_EYES);
    assert.deepEqual(await answer(await decide('approver2', 'CO3', 'approve', signOff.contentHash)), CLOSED);
    assert.deepEqual(await answer(await decide('approver2', 'CO3', 'reject', signOff.contentHash)), CLOSED);
    assert.equal(await version('CO3'), v, 'no refusal changed anything');

    // Signed off, then closed: the sign-off the checker had open was decided, as for an open customer
    // whose sign-off was decided first (409 already_decided since s33-gov, no longer a 404 "none waiting").
    const decided = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', '/v1/subjects/CO4/levels/aml-test/approval'));
    ok(await decide('approver2', 'CO4', 'approve', decided.contentHash));
    await close('CO4');
    const DECIDED = { status: 409, type: 'conflict', codes: ['already_decided'] };
    assert.deepEqual(await answer(await decide('approver2', 'CO4', 'approve', decided.contentHash)), DECIDED);
    assert.deepEqual(await answer(await decide('admin', 'CO4', 'reject', decided.contentHash)), DECIDED);
  });

  it('relationship managers: one outside the customer’s book is told nothing (404); the one whose book holds them is told the customer closed', async () => {
    const now = at(5);
    const token = async (staffId: string): Promise<Who> => ({
      credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId, ttlSeconds: 900, now })).token,
    });
    const rm = { RM1: await token('RM1'), RM2: await token('RM2'), RMA: await token('RMA') };
    await customer('CO5');
    await gradedHigh(t, 'CO5');
    const signOff = await signOffOf(t, 'CO5');
    ok(await t.req('officer', 'PUT', '/v1/subjects/CO5/manager', { manager: 'RM2' }));
    // Filed by RM2 for their book; the customer then moves to RM1's, who may take it back from then on.
    const request = await ok<Request>(await requestOverride(t, 'CO5', {}, rm.RM2), 201);
    ok(await t.req('officer', 'PUT', '/v1/subjects/CO5/manager', { manager: 'RM1' }));
    await close('CO5');
    const v = await version('CO5');
    // Out of the book — its requester since the move, an approver of another book — as for an id nobody has.
    assert.deepEqual(await told(await overrideStep(rm.RM2, request.id, 'edit'), request.id), {
      ...NOT_FOUND,
      detail: (await told(await overrideStep(rm.RM2, 'ovr_nosuchrequest', 'edit'), 'ovr_nosuchrequest')).detail,
    });
    assert.deepEqual(await answer(await overrideStep(rm.RM2, request.id, 'withdraw')), NOT_FOUND);
    // A book-scoped approver (a team lead) decides requests in their own reach only: of another book they are
    // told nothing, as of an id nobody has.
    for (const step of ['approve', 'reject'] as const)
      assert.deepEqual(
        await told(await overrideStep(rm.RMA, request.id, step, request.contentHash), request.id),
        await told(await overrideStep(rm.RMA, 'ovr_nosuchrequest', step, request.contentHash), 'ovr_nosuchrequest'),
      );
    assert.deepEqual(await answer(await overrideStep(rm.RMA, request.id, 'approve', request.contentHash)), NOT_FOUND);
    const NO_SUBJECT = { status: 404, type: 'subject-not-found', codes: [] };
    assert.deepEqual(await answer(await decide(rm.RMA, 'CO5', 'approve', signOff.contentHash)), NO_SUBJECT);
    assert.deepEqual(await answer(await decide(rm.RMA, 'CO5', 'reject', signOff.contentHash)), NO_SUBJECT);
    // The RM whose book holds the customer may withdraw what an RM filed there (not edit it: it stays RM2's).
    assert.deepEqual(await answer(await overrideStep(rm.RM1, request.id, 'edit')), FORBIDDEN);
    assert.deepEqual(await answer(await overrideStep(rm.RM1, request.id, 'withdraw')), CLOSED);
    assert.equal(await statusOf(request.id), 'withdrawn');
    assert.equal(await version('CO5'), v, 'no refusal changed anything');
  });

  it('an override approved before the closing answers every step as it would for an open customer', async () => {
    await customer('CO6');
    await customer('CO7');
    // Filed by an approver, so that its requester may call every step and meets four eyes on a decision.
    const closed = await approvedOverride(t, 'CO6', {}, { by: 'approver', approvedBy: 'approver2' });
    const open = await approvedOverride(t, 'CO7', {}, { by: 'approver', approvedBy: 'approver2' });
    await close('CO6');
    const v = await version('CO6');
    const steps = [
      ['approver2', 'approve'],
      ['approver2', 'reject'],
      ['approver', 'withdraw'],
      ['approver', 'edit'],
    ] as const;
    for (const [who, step] of steps) {
      const refusal = await told(await overrideStep(who, closed.id, step, closed.contentHash), closed.id);
      assert.deepEqual({ ...refusal, detail: undefined }, { ...SETTLED, detail: undefined }, `${step}: ${refusal.detail}`);
      assert.match(refusal.detail ?? '', /is approved/, step);
      assert.deepEqual(
        refusal,
        await told(await overrideStep(who, open.id, step, open.contentHash), open.id),
        `${step}: as for an open customer`,
      );
    }
    // Its requester may not decide it, whatever its state or its customer's.
    assert.deepEqual(await answer(await overrideStep('approver', closed.id, 'approve', closed.contentHash)), FOUR_EYES);
    assert.equal(await statusOf(closed.id), 'approved');
    assert.equal(await version('CO6'), v, 'no refusal changed anything');
  });

  it('close → reopen → close: the sign-off the reopening restored is the second closing’s (subject_closed); the request the first withdrew is settled', async () => {
    await customer('CO8');
    await gradedHigh(t, 'CO8');
    const first = await signOffOf(t, 'CO8');
    const request = await ok<Request>(await requestOverride(t, 'CO8'), 201);
    at(10);
    await close('CO8');
    at(11);
    ok(await t.req('admin', 'POST', '/v1/subjects/CO8/reopen', {}));
    at(12);
    await close('CO8');
    // The reopening restored the sign-off (same content, a new request) and the second closing withdrew
    // that: subject_closed. The override request the first closing withdrew stays withdrawn: settled.
    assert.deepEqual(await answer(await decide('approver2', 'CO8', 'approve', first.contentHash)), CLOSED);
    assert.deepEqual(await answer(await overrideStep('approver2', request.id, 'approve', request.contentHash)), SETTLED);
    assert.deepEqual(await answer(await overrideStep('officer', request.id, 'withdraw')), SETTLED);

    // Back again and graded 高 afresh (from 低): the next closing withdraws that sign-off, and says so.
    at(13);
    ok(await t.req('admin', 'POST', '/v1/subjects/CO8/reopen', {}));
    await gradedHigh(t, 'CO8', 10);
    await gradedHigh(t, 'CO8');
    const second = await signOffOf(t, 'CO8');
    assert.notEqual(second.id, first.id);
    at(14);
    await close('CO8');
    assert.deepEqual(await answer(await decide('approver2', 'CO8', 'approve', second.contentHash)), CLOSED);
    assert.deepEqual(await answer(await decide('approver', 'CO8', 'approve', second.contentHash)), FOUR_EYES);
  });

  it('a request its requester withdrew with the closing’s note while an import ran is not taken for the import’s', async () => {
    await customer('CO9');
    const request = await ok<Request>(await requestOverride(t, 'CO9'), 201);
    at(21);
    ok(await t.req('officer', 'POST', `/v1/overrides/${request.id}/withdraw`, { note: 'customer closed' }));
    // A subjects import then closes the customer on a page whose clock read a minute before that
    // withdrawal committed (an import takes one instant per apply page). The import's closing withdrew
    // nothing of this customer's, so the request carries no marker of it: the person's withdrawal stays
    // theirs, whatever its note says.
    const importPage = new Date(START.getTime() + 20 * 60_000);
    await importClosing(f.db.db, t.tenantId, 'CO9', importPage);
    assert.deepEqual(await answer(await overrideStep('officer', request.id, 'withdraw')), SETTLED);
    assert.deepEqual(await answer(await overrideStep('approver2', request.id, 'approve', request.contentHash)), SETTLED);
  });
});
