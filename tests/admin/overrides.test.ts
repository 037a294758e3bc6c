import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  alreadyPending,
  changedMeanwhile,
  checkOverrideRequest,
  mayEditOverride,
  mayWithdrawOverride,
  Overrides,
  requestableSchemes,
} from '@tierkit/admin';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import type { Session } from '@tierkit/client';
import { defaultPolicyPack } from '@tierkit/core';
import { outcome } from '../../apps/admin/src/pages/override-items.js';
import { NOW } from '../support/api-fixture.js';
import { sqliteHarness } from '../support/databases.js';
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
    // K10, in no book, is put in RM1's for this test: the other tests keep their customers where they are.
    const put = (manager: string) =>
      f.app.request('/v1/subjects/K10/manager', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ manager }),
      });
    assert.equal((await put('RM1')).status, 200);
    const before = store(f.client('RM1'));
    await before.open('K10');
    assert.ok(await before.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'VIP', expiresAt: null }));
    const id = before.state.done?.override.id ?? '';
    const rm1 = await f.client('RM1').getSession();
    const filed = before.state.items.find((i) => i.id === id);
    assert.ok(filed && mayEditOverride(filed, rm1) && mayWithdrawOverride(filed, rm1), 'the requester may edit and withdraw');

    assert.equal((await put('RM2')).status, 200);
    const rm2 = await f.client('RM2').getSession();
    const after = store(f.client('RM2'));
    await after.open('K10');
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

  it('a request while another is pending: the list shows the one in the way, and the console says so in each language', async () => {
    // An officer reads the customer's overrides: none. Then the RM requests one.
    const officer = store(f.client('OFF1'));
    await officer.loadSchemes();
    await officer.open('K06');
    assert.equal(officer.state.empty, true);
    const rm = store(f.client('RM1'));
    await rm.open('K06');
    assert.ok(await rm.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'first', expiresAt: null }));
    const first = rm.state.done?.override;
    // The officer's own request, from the list read before: the API refuses it.
    assert.equal(
      await officer.request({ scheme: 'retail-tier', level: 'standard', mode: 'fixed', reason: 'second', expiresAt: null }),
      false,
    );
    assert.equal(officer.state.actionError?.status, 409);
    assert.equal(alreadyPending(officer.state)?.pending?.id, first?.id, 'read again, the list has the one in the way');
    const level = (locale: 'zh-CN' | 'zh-TW' | 'en') =>
      officer.state.schemes.find((x) => x.key === 'retail-tier')?.levels.find((l) => l.key === 'gold')?.name[locale];
    assert.equal(
      outcome(officer, 'zh-TW'),
      `未能完成: 該客戶在此方案下已有一筆待複核的申請（${level('zh-TW')}，由 ${first?.requestedBy} 提出）：請等待複核結果，或由申請人撤回後再送出。`,
    );
    assert.match(outcome(officer, 'zh-CN'), new RegExp(`^未能完成: 该客户在此方案下已有一笔待复核的申请（${level('zh-CN')}，`));
    assert.match(outcome(officer, 'en'), /^Not done: A request for this customer in this scheme is already pending/);
    for (const locale of ['zh-CN', 'zh-TW'] as const) assert.doesNotMatch(outcome(officer, locale), /already|Override|ovr_/);
    // A refusal of another kind is not taken for it.
    assert.equal(await officer.withdraw(first?.id ?? ''), false);
    assert.equal(alreadyPending(officer.state), undefined);
  });

  it('a withdrawal of a request withdrawn meanwhile: said with its status now, in each language', async () => {
    const rm = store(f.client('RM1'));
    await rm.open('K07');
    assert.ok(await rm.request({ scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'first', expiresAt: null }));
    const id = rm.state.done?.override.id ?? '';
    // The same RM in another tab withdraws it; this tab's list still shows it pending.
    const other = store(f.client('RM1'));
    assert.ok(await other.withdraw(id));
    assert.equal(await rm.withdraw(id), false);
    assert.equal(rm.state.actionError?.status, 409);
    assert.equal(changedMeanwhile(rm.state)?.override?.status, 'withdrawn', 'read again, the list has it as it is now');
    assert.equal(outcome(rm, 'zh-TW'), '未能完成: 這筆人工調級的狀態已變更（現為「已撤回」），無法再執行此操作；清單已重新整理。');
    assert.equal(outcome(rm, 'zh-CN'), '未能完成: 这笔人工调级的状态已变化（现为“已撤回”），不能再执行此操作；列表已刷新。');
    assert.match(outcome(rm, 'en'), /^Not done: This override has changed meanwhile \(it is now “Withdrawn”\)/);
    assert.equal(alreadyPending(rm.state), undefined);
  });

  it('a refusal answered after another customer is opened: nothing of it lands on that customer', async () => {
    const rm = store(f.client('RM1'));
    await rm.loadSchemes();
    const gold = { scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'first', expiresAt: null } as const;
    await rm.open('K02');
    assert.ok(await rm.request(gold));
    await rm.open('K01');
    assert.ok(await rm.request(gold), 'K01 has a pending request of its own, filed by this RM');
    // Back on K02, a second request the API will refuse (one is pending); before its answer, K01 is opened.
    await rm.open('K02');
    const late = rm.request({ ...gold, level: 'standard', reason: 'second' });
    const opened = rm.open('K01');
    assert.equal(await late, false);
    await opened;
    assert.equal(rm.state.subject, 'K01');
    assert.deepEqual(
      rm.state.items.map((i) => [i.subject, i.status]),
      [['K01', 'pending']],
    );
    assert.equal(rm.state.saving, false);
    assert.equal(rm.state.actionError, undefined, 'K02’s refusal is not K01’s');
    assert.equal(alreadyPending(rm.state), undefined, 'K01’s own request is not blamed for K02’s refusal');
    assert.equal(outcome(rm, 'en'), '');
  });

  it('a request in the way that is the caller’s own: said so, with edit or withdraw offered', async () => {
    const rm = store(f.client('RM1'));
    await rm.loadSchemes();
    await rm.open('K01');
    assert.equal(await rm.request({ scheme: 'retail-tier', level: 'standard', mode: 'fixed', reason: 'again', expiresAt: null }), false);
    assert.equal(alreadyPending(rm.state)?.pending?.requestedByYou, true);
    assert.match(
      outcome(rm, 'en'),
      /^Not done: You already have a request pending for this customer in this scheme \(.+\): edit or withdraw that one/,
    );
    assert.match(outcome(rm, 'zh-CN'), /您本人提出.*请修改或撤回那一笔/);
    assert.match(outcome(rm, 'zh-TW'), /由您本人提出.*請修改或撤回該筆/);
  });

  it('a revocation refused while the override is followed: the followed one is read again, and said with its status', async () => {
    const rm = store(f.client('RM1'));
    await rm.open('K02');
    const pending = rm.state.items.find((i) => i.status === 'pending');
    const approved = await f.app.request(`/v1/overrides/${pending?.id}/approve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ contentHash: pending?.contentHash }),
    });
    assert.equal(approved.status, 200);
    // A list of approved ones only: read again, it no longer has the override; the followed one says where it stands.
    const boss = store(f.client('admin'));
    await boss.open('K02', { status: 'approved' });
    const id = pending?.id ?? '';
    await boss.follow(id);
    assert.equal(boss.state.current?.status, 'approved');
    assert.ok(await store(f.client('admin')).revoke(id, 'another approver, meanwhile'));
    assert.equal(await boss.revoke(id, 'no longer'), false);
    assert.equal(boss.state.actionError?.status, 409);
    assert.equal(boss.state.current?.status, 'revoked', 'the detail panel is not left stale');
    assert.deepEqual(boss.state.items, []);
    assert.deepEqual([changedMeanwhile(boss.state)?.override?.status, changedMeanwhile(boss.state)?.retry], ['revoked', false]);
    assert.match(
      outcome(boss, 'en'),
      /^Not done: This override has changed meanwhile \(it is now “.+”\), so this cannot be done; the list has been read again\.$/,
    );
  });

  it('409s by their problem type: content-changed on one still pending is "read it again and retry"', async () => {
    const rm = store(f.client('RM1'));
    await rm.open('K01');
    const pending = rm.state.items[0];
    assert.equal(pending?.status, 'pending');
    // An edit whose conditional write lost to another (the API's content-changed): the override is still
    // pending once read again, so it may be retried — not "it is now pending, this cannot be done".
    const edited = {
      ...rm.state,
      actionError: { status: 409, title: 'The content changed', type: 'https://tierkit.dev/problems/content-changed' },
      refused: { action: 'edit', subject: 'K01', id: pending?.id },
    } as const;
    assert.deepEqual(changedMeanwhile(edited), { override: pending, retry: true });
    // A 409 conflict on a request is "already pending"; the same refusal under another type is not.
    assert.equal(await rm.request({ scheme: 'retail-tier', level: 'standard', mode: 'fixed', reason: 'again', expiresAt: null }), false);
    assert.equal(rm.state.actionError?.type, 'https://tierkit.dev/problems/conflict');
    assert.ok(alreadyPending(rm.state));
    const otherType = {
      ...rm.state,
      actionError: { ...rm.state.actionError, type: 'https://tierkit.dev/problems/content-changed' },
    } as const;
    assert.equal(alreadyPending(otherType), undefined);
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

describe('the schemes a request form offers', () => {
  const session = (role: Session['role'], book: string | null): Session => ({
    tenantId: 'bank-a',
    via: 'staff-token',
    role,
    actor: 'staff:X',
    staff: null,
    book,
    timeZone: 'Asia/Shanghai',
    can: { readSubjects: true, writeSubjects: true, assignManagers: false, manageStaff: false },
  });
  const customers = defaultPolicyPack.schemes.filter((s) => s.subjectKind === 'customer');
  const offered = (s: Session | undefined) => requestableSchemes(customers, s).map((x) => x.key);

  it('a relationship manager is offered the customer-facing schemes, never the AML or credit grade', () => {
    const rm = offered(session('officer', 'RM001'));
    assert.deepEqual(rm, ['retail-tier', 'star-rating', 'savings-grade']);
  });

  it('a compliance officer who sees the whole bank is offered the staff classifications too; a viewer and nobody nothing', () => {
    const officer = offered(session('officer', null));
    assert.ok(officer.includes('aml-risk') && officer.includes('credit-rating'), officer.join());
    assert.equal(officer.length, customers.length);
    assert.deepEqual(offered(session('viewer', null)), []);
    assert.deepEqual(offered(undefined), []);
  });

  describe('from the API’s own /v1/schemes answer (the rules as sent, not the pack in memory)', () => {
    const harness = sqliteHarness();
    let items: Parameters<typeof requestableSchemes>[0] = [];
    before(async () => {
      const db = await harness.open();
      await provisionTenant(db.db, { id: 'bank-d', name: 'bank-d', pack: defaultPolicyPack, now: NOW });
      // An officer's answer: a viewer's has no AML scheme at all (its `readers`, docs/domain.md §4).
      const key = (await createApiKey(db.db, { tenantId: 'bank-d', role: 'officer', label: 'schemes', now: NOW })).secret;
      const app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
      const res = await app.request('/v1/schemes', { headers: { Authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200);
      items = ((await res.json()) as { items: typeof items }).items.filter((x) => x.subjectKind === 'customer');
    });
    after(() => harness.stopAll());

    it('a relationship manager is offered what the API would take from them, and tenant-wide staff the AML and credit grades too', () => {
      const aml = items.find((x) => x.key === 'aml-risk');
      assert.deepEqual(aml?.overrides, {
        requestedBy: 'tenant',
        approvedBy: 'approver',
        maxDays: 180,
        order: ['high', 'medium-high', 'medium', 'low', 'unassessed'],
        loosenNeeds: 'admin',
      });
      assert.deepEqual(
        requestableSchemes(items, session('officer', 'RM001')).map((x) => x.key),
        ['retail-tier', 'star-rating', 'savings-grade'],
      );
      const all = requestableSchemes(items, session('officer', null)).map((x) => x.key);
      assert.ok(all.includes('aml-risk') && all.includes('credit-rating'), all.join());
    });
  });
});
