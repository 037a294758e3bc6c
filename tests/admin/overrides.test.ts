import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOverrideRequest, mayEditOverride, mayWithdrawOverride, Overrides } from '@tierkit/admin';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

const LATER = new Date(NOW.getTime() + 30 * 86_400_000).toISOString();
const store = (client: ReturnType<ReturnType<typeof kitFixture>['client']>, pageSize = 20) =>
  new Overrides(client, { pageSize, now: () => NOW });

describe('Overrides against the real API', () => {
  const f = kitFixture();

  it('an RM requests an override for a customer of the book; it is listed pending', async () => {
    const o = store(f.client('RM1'));
    await o.loadSchemes();
    assert.ok(o.state.schemes.some((s) => s.key === 'retail-tier'));
    await o.open('K03');
    assert.equal(o.state.status, 'ready');
    assert.equal(o.state.empty, true);
    const ok = await o.request({ scheme: 'retail-tier', level: 'gold', mode: 'floor', reason: ' 客户长期合作 ', expiresAt: LATER });
    assert.equal(ok, true, JSON.stringify(o.state.actionError));
    assert.equal(o.state.done?.action, 'request');
    assert.equal(o.state.done?.override.status, 'pending');
    assert.equal(o.state.done?.override.reason, '客户长期合作');
    assert.deepEqual(
      o.state.items.map((i) => [i.subject, i.status]),
      [['K03', 'pending']],
      'the list is read again after the write, past the cache',
    );
  });

  it('checks what the API would refuse before sending, and shows the API’s own refusals', async () => {
    const o = store(f.client('RM1'));
    await o.loadSchemes();
    await o.open('K04');
    assert.equal(
      await o.request({ scheme: 'retail-tier', level: 'ruby', mode: 'fixed', reason: '  ', expiresAt: NOW.toISOString() }),
      false,
    );
    // Each check carries a code a host words in its own language, and a default message.
    assert.deepEqual(
      Object.entries(o.state.fieldErrors)
        .map(([field, c]) => [field, c.code, c.message])
        .sort(),
      [
        ['expiresAt', 'expiry-past', 'must be in the future'],
        ['level', 'not-a-level', 'not a level of this scheme'],
        ['reason', 'reason-required', 'a reason is required'],
      ],
    );
    assert.deepEqual(o.state.items, [], 'nothing was sent');
    // A limit's check carries the limit, so the host's words need not know it.
    assert.equal(
      await o.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'x'.repeat(1001), expiresAt: null }),
      false,
    );
    assert.deepEqual(o.state.fieldErrors.reason, { code: 'reason-too-long', message: 'at most 1000 characters', max: 1000 });
    assert.equal((await o.edit('none-such', {})) || o.state.fieldErrors.form?.code, 'no-change');
    assert.equal((await o.revoke('none-such', ' ')) || o.state.fieldErrors.note?.code, 'revoke-note');
    // A store that does not know the schemes lets the API say it.
    const blind = store(f.client('RM1'));
    await blind.open('K04');
    assert.equal(await blind.request({ scheme: 'retail-tier', level: 'ruby', mode: 'fixed', reason: 'x', expiresAt: null }), false);
    assert.equal(blind.state.actionError?.status, 400);
    // The API's refusal carries no code (its problem has none): the API's message, as it says it.
    assert.equal(blind.state.fieldErrors.level?.code, undefined, JSON.stringify(blind.state.fieldErrors));
    assert.ok(blind.state.fieldErrors.level?.message, JSON.stringify(blind.state.fieldErrors));
    // A customer of another book is not there for this RM.
    await blind.open('K08');
    assert.equal(blind.state.status, 'error');
    assert.equal(blind.state.error?.status, 404);
    assert.equal(await blind.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'x', expiresAt: null }), false);
    assert.equal(blind.state.actionError?.status, 404);
  });

  it('edit and withdraw a pending request; revoke an approved one; follow it with its decisions', async () => {
    const rm = store(f.client('OFF1'));
    await rm.loadSchemes();
    await rm.open('K05');
    assert.ok(await rm.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'first', expiresAt: null }));
    const id = rm.state.done?.override.id ?? '';
    assert.ok(await rm.edit(id, { reason: 'second' }));
    assert.equal(rm.state.items.find((i) => i.id === id)?.reason, 'second');
    assert.equal(await rm.edit(id, { level: 'ruby' }), false, 'an edit is checked against the scheme too');
    assert.ok(await rm.withdraw(id));
    assert.equal(rm.state.items.find((i) => i.id === id)?.status, 'withdrawn');
    assert.equal(await rm.withdraw(id), false);
    assert.equal(rm.state.actionError?.status, 409);

    assert.ok(await rm.request({ scheme: 'retail-tier', level: 'standard', mode: 'fixed', reason: 'third', expiresAt: null }));
    const second = rm.state.done?.override;
    const approved = await f.app.request(`/v1/overrides/${second?.id}/approve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ contentHash: second?.contentHash }),
    });
    assert.equal(approved.status, 200);
    // An officer may not revoke; an approver (here the admin key) may.
    assert.equal(await rm.revoke(second?.id ?? '', 'no longer'), false);
    assert.equal(rm.state.actionError?.status, 403);
    const boss = store(f.client('admin'));
    await boss.open(undefined, { status: 'approved' });
    assert.deepEqual(
      boss.state.items.map((i) => i.id),
      [second?.id],
    );
    assert.equal(await boss.revoke(second?.id ?? '', ' '), false, 'a revocation says why');
    assert.ok(await boss.revoke(second?.id ?? '', 'no longer'));
    assert.equal(boss.state.empty, true, 'the approved filter no longer lists it');
    await boss.follow(second?.id ?? '');
    assert.equal(boss.state.current?.status, 'revoked');
    assert.deepEqual(
      boss.state.current?.decisions.map((d) => d.action),
      ['requested', 'approved', 'revoked'],
    );
  });

  it('the tenant’s list, filtered and paged to the end', async () => {
    const boss = store(f.client('admin'), 1);
    await boss.open(undefined);
    const seen = new Set<string>();
    for (const i of boss.state.items) seen.add(i.id);
    while (boss.state.nextCursor !== null) await boss.loadMore();
    assert.equal(boss.state.items.length, 3, 'K03, and K05 twice');
    assert.equal(new Set(boss.state.items.map((i) => i.id)).size, 3);
    await boss.setFilter({ status: 'withdrawn', scheme: 'retail-tier' });
    assert.deepEqual(
      boss.state.items.map((i) => i.reason),
      ['second'],
    );
    await boss.setFilter({ scheme: 'aml-test' });
    assert.equal(boss.state.empty, true);
  });

  it('a customer moved to another book: the new RM is offered Withdraw (not Edit) on the request left pending, and withdraws it', async () => {
    const before = store(f.client('RM1'));
    await before.open('K06');
    assert.ok(await before.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'VIP', expiresAt: null }));
    const id = before.state.done?.override.id ?? '';
    const rm1 = await f.client('RM1').getSession();
    const filed = before.state.items.find((i) => i.id === id);
    assert.ok(filed && mayEditOverride(filed, rm1) && mayWithdrawOverride(filed, rm1), 'the requester may edit and withdraw');

    const moved = await f.app.request('/v1/subjects/K06/manager', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ manager: 'RM2' }),
    });
    assert.equal(moved.status, 200);
    const rm2 = await f.client('RM2').getSession();
    const after = store(f.client('RM2'));
    await after.open('K06');
    const left = after.state.items.find((i) => i.id === id);
    assert.ok(left);
    assert.equal(mayWithdrawOverride(left, rm2), true, 'the API says the new RM may withdraw it');
    assert.equal(mayEditOverride(left, rm2), false, 'editing stays the requester’s');
    assert.ok(await after.withdraw(id), JSON.stringify(after.state.actionError));
    const withdrawn = after.state.items.find((i) => i.id === id);
    assert.equal(withdrawn?.status, 'withdrawn');
    assert.equal(withdrawn && mayWithdrawOverride(withdrawn, rm2), false, 'nothing more to withdraw');
  });

  it('a newer list cancels the older one', async () => {
    const o = store(f.client('admin'));
    const a = o.open('K03');
    const b = o.open('K05');
    await Promise.all([a, b]);
    assert.equal(o.state.subject, 'K05');
    assert.ok(o.state.items.every((i) => i.subject === 'K05'));
  });

  it('checkOverrideRequest: an expiry in the past, a mode, a missing scheme', () => {
    assert.deepEqual(
      Object.keys(
        checkOverrideRequest({ level: 'x', mode: 'up' as 'fixed', reason: 'r', expiresAt: '2000-01-01T00:00:00Z' }, [], NOW),
      ).sort(),
      ['expiresAt', 'mode', 'scheme'],
    );
  });
});
