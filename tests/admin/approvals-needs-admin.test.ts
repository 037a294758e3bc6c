import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type ApprovalItem, ApprovalsQueue, mayApproveItem, SessionStore, whyNotApprovable } from '@tierkit/admin';
import { createApiKey, mintStaffToken, provisionTenant } from '@tierkit/api';
import type { HttpTierkitClient, Session } from '@tierkit/client';
import { defaultPolicyPack } from '@tierkit/core';
import { APPROVALS_WORDS } from '../../apps/admin/src/pages/approvals.words.js';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';

/*
 * The console's approvals queue offers Approve only to whom the scheme's rule lets approve
 * (`approvalNeeds`, from the API): an approver sees "needs an admin" on an AML override that can hold a
 * PEP's grade low and may reject it; an admin may approve it. Against the real API, in a tenant on the
 * default pack (its AML rule: `loosenNeeds: admin`).
 */
describe('approvals queue: who may approve, before Approve is pressed', () => {
  const f = kitFixture();
  const tenantId = 'bank-rules';
  const people: Record<string, { client: HttpTierkitClient; session: Session }> = {};

  before(async () => {
    await provisionTenant(f.db.db, { id: tenantId, name: tenantId, pack: defaultPolicyPack, now: NOW });
    const adminKey = (await createApiKey(f.db.db, { tenantId, role: 'admin', label: 'setup', now: NOW })).secret;
    // Each grant of power approved by a second admin (tests/support/granted-staff.ts).
    const checkerKey = (await createApiKey(f.db.db, { tenantId, role: 'admin', label: 'setup, second admin', now: NOW })).secret;
    const send: Send = (credential, method, path, body) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const admin = (method: string, path: string, body: unknown) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const [id, role] of [
      ['MAKER', 'officer'],
      ['CHECKER', 'approver'],
      ['HEAD', 'admin'],
    ] as const) {
      assert.equal(await putStaffGranted(send, adminKey, checkerKey, id, { name: id, role, scope: 'tenant' }), 202);
      const token = (await mintStaffToken(f.db.db, { tenantId, staffId: id, now: NOW })).token;
      const client = f.clientWith(token);
      people[id] = { client, session: (await new SessionStore(client).load()) as Session };
    }
    assert.equal((await admin('PUT', '/v1/subjects/PEP1', { kind: 'customer', displayName: '王芳' })).status, 201);
    const metrics = [
      { metric: 'pep', period: '2025-10', value: 1 },
      { metric: 'aml_customer_risk', period: '2025-10', value: 20 },
    ];
    assert.equal((await admin('PUT', '/v1/subjects/PEP1/metrics', { metrics })).status, 200);
  });

  const file = async (level: string) => {
    const maker = people.MAKER?.client;
    assert.ok(maker);
    await maker.http.send('POST', '/v1/subjects/PEP1/overrides', {
      scheme: 'aml-risk',
      level,
      mode: 'fixed',
      reason: '客户已退出政治职务',
      expiresAt: new Date(NOW.getTime() + 30 * 86_400_000).toISOString(),
    });
  };
  const queueOf = async (who: string) => {
    const p = people[who];
    assert.ok(p);
    const q = new ApprovalsQueue(p.client, { session: p.session, filter: { kind: 'override' } });
    await q.load();
    return { q, item: q.state.items[0] as ApprovalItem, session: p.session };
  };

  it('an approver: the item needs an admin, Approve is not offered, Reject is — and the rejection goes through', async () => {
    await file('low');
    const { q, item, session } = await queueOf('CHECKER');
    assert.equal(item.approvalNeeds, 'admin');
    assert.equal(whyNotApprovable(item, session), undefined, 'the approver may decide it: reject');
    assert.equal(mayApproveItem(item, session), false, 'but not approve');
    // What the console says, in each language.
    assert.deepEqual(
      (['zh-CN', 'zh-TW', 'en'] as const).map((l) => APPROVALS_WORDS[l].needsAdmin),
      ['需管理员审批', '需管理員核准', 'Needs an admin'],
    );
    // Pressed anyway (a stale screen): the API agrees with the field.
    await q.approve(item, { note: '同意' });
    assert.equal(q.state.refusals[`override:${item.id}`]?.status, 403);
    assert.equal((await q.reject(item, '请管理员审批'))?.action, 'reject');
  });

  it('an admin may approve it; the maker may do neither', async () => {
    await file('medium');
    const head = await queueOf('HEAD');
    assert.equal(head.item.approvalNeeds, 'admin');
    assert.equal(mayApproveItem(head.item, head.session), true);
    const maker = await queueOf('MAKER');
    assert.equal(mayApproveItem(maker.item, maker.session), false);
    assert.equal(whyNotApprovable(maker.item, maker.session), 'own-request');
    assert.equal((await head.q.approve(head.item, { note: '合规负责人批准' }))?.action, 'approve');
  });

  it('the only admin’s own admin-level request: nobody on staff may approve it, and the queue says so to everyone', async () => {
    const head = people.HEAD?.client;
    assert.ok(head);
    // HEAD is the tenant's only tenant-wide admin; holding a PEP's grade low needs an admin. The set-up's
    // unowned admin keys could decide it (they count, packages/api/README.md "Four eyes"): revoked first.
    await f.db.db
      .updateTable('api_keys')
      .set({ revoked_at: NOW.toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('staff_id', 'is', null)
      .where('role', '=', 'admin')
      .execute();
    await head.http.send('POST', '/v1/subjects/PEP1/overrides', {
      scheme: 'aml-risk',
      level: 'low',
      mode: 'fixed',
      reason: '客户已退出政治职务',
      expiresAt: new Date(NOW.getTime() + 30 * 86_400_000).toISOString(),
    });
    const checker = await queueOf('CHECKER');
    assert.equal(checker.item.approvalNeeds, 'admin');
    assert.equal(checker.item.approvalBlocked, 'no-other-admin');
    const own = await queueOf('HEAD');
    assert.equal(own.item.approvalBlocked, 'no-other-admin');
    assert.equal(whyNotApprovable(own.item, own.session), 'own-request', 'the maker is never the way out');
    assert.equal(mayApproveItem(own.item, own.session), false);
    for (const l of ['zh-CN', 'zh-TW', 'en'] as const) assert.match(APPROVALS_WORDS[l].noOtherAdmin, /tierkit staff role/, l);
    assert.equal((await checker.q.reject(checker.item, '请先任命第二位管理员'))?.action, 'reject', 'it can still be rejected');
  });

  it('an item from an API without the field needs an approver, as before', () => {
    const checker = people.CHECKER?.session;
    const { approvalNeeds: _, ...old } = {
      kind: 'level',
      id: 'K01:aml',
      requestedBy: 'job:1',
      requestedByYou: false,
      approvalNeeds: 'admin',
    } as unknown as ApprovalItem;
    assert.equal(mayApproveItem(old as ApprovalItem, checker), true);
  });
});
