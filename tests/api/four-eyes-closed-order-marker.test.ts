import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findSubjectByExternalId } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { importClosing } from '../support/import-closing.js';
import {
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
 * Which closing withdrew an item is recorded on the item (`withdrawn_by_closing`), so a step on it
 * says `subject_closed` for exactly what the closing the customer is under withdrew. The cases here
 * all fall on one millisecond — the clock stands still — where the instant and the note alone could
 * not tell a person's withdrawal, or an earlier closing's, from the current closing's.
 */

type Problem = { type: string; detail?: string; errors?: { path: string; code?: string }[] };
type Request = { id: string; contentHash: string };

forEachDialect('what a closing withdrew, told from anything else at the same instant', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'fe-closed-marker', START);
  });

  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const close = async (id: string) => ok(await t.req('admin', 'POST', `/v1/subjects/${id}/close`, { reason: '销户' }));
  const reopen = async (id: string) => ok(await t.req('admin', 'POST', `/v1/subjects/${id}/reopen`, {}));
  /** The answer's status, problem type, error codes and words (`id` replaced, so two items' refusals compare). */
  const told = async (res: Response, id: string) => {
    const body = (await res.json()) as Problem;
    return {
      status: res.status,
      type: body.type.replace('https://tierkit.dev/problems/', ''),
      codes: (body.errors ?? []).map((e) => e.code),
      detail: body.detail?.replaceAll(id, '<id>'),
    };
  };
  const CLOSED = { status: 409, type: 'conflict', codes: ['subject_closed'] };
  const steps = [
    ['approver2', 'approve'],
    ['approver2', 'reject'],
    ['officer', 'withdraw'],
    ['officer', 'edit'],
  ] as const;
  const overrideStep = (who: Who, r: Request, step: (typeof steps)[number][1]) =>
    step === 'edit'
      ? t.req(who, 'PATCH', `/v1/overrides/${r.id}`, { reason: '改' })
      : t.req(who, 'POST', `/v1/overrides/${r.id}/${step}`, step === 'withdraw' ? {} : { contentHash: r.contentHash, note: '核实' });
  const decide = (who: Who, id: string, contentHash: string) =>
    t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/approve`, { contentHash, note: '核实' });
  /** A customer whose level the approver's upload made 高, waiting for a sign-off (a low `value` grades them 低). */
  /** The closing each item names, and whether that closing is the one its customer is under. */
  const marker = async (table: 'overrides' | 'level_approvals', id: string) => {
    const row = await f.db.db
      .selectFrom(table)
      .leftJoin('subject_closings as c', 'c.id', `${table}.withdrawn_by_closing`)
      .select([`${table}.withdrawn_by_closing as closing`, 'c.reopened_at as reopenedAt', 'c.subject_id as subjectId'])
      .where(`${table}.id`, '=', id)
      .executeTakeFirstOrThrow();
    return row;
  };
  /** The steps on `r` answer as on `twin`, a request of an open customer in the same state. */
  const answersAsFor = async (r: Request, twin: Request) => {
    for (const [who, step] of steps)
      assert.deepEqual(await told(await overrideStep(who, r, step), r.id), await told(await overrideStep(who, twin, step), twin.id), step);
  };

  it('a person withdraws a request with the closing’s note at the instant the customer is closed: it answers as withdrawn, not subject_closed', async () => {
    await customer('MK1');
    await customer('MK2');
    const mine = await ok<Request>(await requestOverride(t, 'MK1'), 201);
    const twin = await ok<Request>(await requestOverride(t, 'MK2'), 201);
    for (const r of [mine, twin]) ok(await t.req('officer', 'POST', `/v1/overrides/${r.id}/withdraw`, { note: 'customer closed' }));
    // Filed after the withdrawal, still pending when the closing comes — at the same millisecond.
    const pending = await ok<Request>(await requestOverride(t, 'MK1', { scheme: 'aml-test', level: 'low' }), 201);
    await close('MK1');
    await answersAsFor(mine, twin);
    assert.equal((await marker('overrides', mine.id)).closing, null, 'no closing withdrew it');
    // What the closing withdrew at that same instant says so.
    for (const [who, step] of steps)
      assert.deepEqual(
        { ...(await told(await overrideStep(who, pending, step), pending.id)), detail: undefined },
        { ...CLOSED, detail: undefined },
        step,
      );
  });

  it('close → reopen → close within one millisecond: only what the second closing withdrew says subject_closed', async () => {
    await customer('MK3');
    await customer('MK4');
    await gradedHigh(t, 'MK3');
    const first = await signOffOf(t, 'MK3');
    const request = await ok<Request>(await requestOverride(t, 'MK3'), 201);
    const twin = await ok<Request>(await requestOverride(t, 'MK4'), 201);
    ok(await t.req('officer', 'POST', `/v1/overrides/${twin.id}/withdraw`, {}));
    await close('MK3');
    const firstClosing = (await marker('overrides', request.id)).closing;
    assert.ok(firstClosing);
    assert.equal((await marker('level_approvals', first.id)).closing, firstClosing, 'one closing, one marker');
    await reopen('MK3');
    await close('MK3');
    // The first closing's withdrawals keep naming it; taken back, it no longer answers for them.
    assert.deepEqual(
      { ...(await marker('overrides', request.id)), subjectId: undefined },
      { closing: firstClosing, reopenedAt: START.toISOString(), subjectId: undefined },
    );
    // The reopening restored the sign-off (the same content, a new request), and the second closing
    // withdrew that one: the checker who had it open is told the customer is closed.
    const restored = await marker('level_approvals', first.id);
    assert.equal(restored.closing, firstClosing);
    assert.deepEqual(
      { ...(await told(await decide('approver2', 'MK3', first.contentHash), 'MK3')), detail: undefined },
      { ...CLOSED, detail: undefined },
    );
    await answersAsFor(request, twin);
    // Back again, graded afresh and closed a third time, still at that instant: that sign-off says so.
    await reopen('MK3');
    await gradedHigh(t, 'MK3', 10);
    await gradedHigh(t, 'MK3');
    const third = await signOffOf(t, 'MK3');
    await close('MK3');
    assert.notEqual((await marker('level_approvals', third.id)).closing, firstClosing);
    assert.deepEqual(
      { ...(await told(await decide('approver2', 'MK3', third.contentHash), 'MK3')), detail: undefined },
      { ...CLOSED, detail: undefined },
    );
  });

  it('an import’s closing marks what it withdraws; a person’s withdrawal at the page’s instant stays theirs', async () => {
    await customer('MK5');
    await gradedHigh(t, 'MK5');
    const signOff = await signOffOf(t, 'MK5');
    const byPerson = await ok<Request>(await requestOverride(t, 'MK5'), 201);
    ok(await t.req('officer', 'POST', `/v1/overrides/${byPerson.id}/withdraw`, { note: 'customer closed' }));
    const pending = await ok<Request>(await requestOverride(t, 'MK5', { scheme: 'aml-test', level: 'low' }), 201);
    // The import's page reads the very instant of the person's withdrawal.
    await importClosing(f.db.db, t.tenantId, 'MK5', START);
    const s = await findSubjectByExternalId(f.db.db, t.tenantId, 'MK5');
    const closing = await f.db.db
      .selectFrom('subject_closings')
      .select('id')
      .where('subject_id', '=', s?.id ?? '')
      .where('reopened_at', 'is', null)
      .executeTakeFirstOrThrow();
    assert.ok(closing.id);
    assert.equal((await marker('overrides', pending.id)).closing, closing.id);
    assert.equal((await marker('level_approvals', signOff.id)).closing, closing.id);
    assert.equal((await marker('overrides', byPerson.id)).closing, null);
    assert.deepEqual(
      { ...(await told(await overrideStep('approver2', pending, 'approve'), pending.id)), detail: undefined },
      { ...CLOSED, detail: undefined },
    );
    assert.deepEqual(
      { ...(await told(await decide('approver2', 'MK5', signOff.contentHash), 'MK5')), detail: undefined },
      { ...CLOSED, detail: undefined },
    );
    for (const step of ['approve', 'withdraw'] as const) {
      const refusal = await told(await overrideStep(step === 'approve' ? 'approver2' : 'officer', byPerson, step), byPerson.id);
      // A person's withdrawal stays theirs: settled (already_decided), not the closing's subject_closed.
      assert.deepEqual([refusal.status, refusal.codes], [409, ['already_decided']], step);
      assert.match(refusal.detail ?? '', /is withdrawn/, step);
    }
  });
});
