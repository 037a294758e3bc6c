import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type ApprovalItem, ApprovalsQueue, SessionStore } from '@tierkit/admin';
import { createApiKey, mintStaffToken, provisionTenant } from '@tierkit/api';
import type { Session } from '@tierkit/client';
import { defaultPolicyPack } from '@tierkit/core';
import { findTenant } from '@tierkit/db';
import { APPROVALS_WORDS } from '../../apps/admin/src/pages/approvals.words.js';
import { NOW } from '../support/api-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { kitFixture } from './kit-fixture.js';

/*
 * A metric's audience lowered waits in the console's one approvals queue (`kind: metric-audience`), and
 * the console's decision goes to `/v1/metric-audience-requests/{id}/approve` — an unknown kind used to
 * fall through to the policy path. Against the real API.
 */
describe('approvals queue: a metric’s audience lowered, decided from the console', () => {
  const f = kitFixture();
  const tenantId = 'bank-audience';
  let makerKey = '';
  let head: { q: ApprovalsQueue; session: Session };

  before(async () => {
    await provisionTenant(f.db.db, { id: tenantId, name: tenantId, pack: defaultPolicyPack, now: NOW });
    makerKey = (await createApiKey(f.db.db, { tenantId, role: 'admin', label: 'maker', now: NOW })).secret;
    const checkerKey = (await createApiKey(f.db.db, { tenantId, role: 'admin', label: 'second admin', now: NOW })).secret;
    const send: Send = (credential, method, path, body) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal(await putStaffGranted(send, makerKey, checkerKey, 'HEAD', { name: 'HEAD', role: 'admin', scope: 'tenant' }), 202);
    const client = f.clientWith((await mintStaffToken(f.db.db, { tenantId, staffId: 'HEAD', now: NOW })).token);
    const session = (await new SessionStore(client).load()) as Session;
    head = { q: new ApprovalsQueue(client, { session, filter: { kind: 'metric-audience' } }), session };
    const label = { 'zh-CN': '网点到访次数', 'zh-TW': '分行到訪次數', en: 'branch visits' };
    const entry = { unit: 'count', label, subjectKinds: ['customer'], actionable: true, audience: 'staff' };
    assert.equal((await send(makerKey, 'POST', '/v1/metrics', { key: 'branch_visits', ...entry })).status, 201);
    assert.equal(
      (await send(makerKey, 'PUT', '/v1/metrics/branch_visits', { ...entry, audience: 'customer', reason: '到店次数可向客户展示' })).status,
      202,
    );
  });

  it('a second admin finds it in the queue and approves it there; the catalogue takes it', async () => {
    await head.q.load();
    const item = head.q.state.items[0] as ApprovalItem | undefined;
    assert.ok(item, 'waiting in the queue');
    assert.deepEqual([item.kind, item.approvalNeeds, item.requestedByYou], ['metric-audience', 'admin', false]);
    // The maker's word reaches the checker on the card (the console shows `reason` as text, under 申请理由).
    assert.equal(item.reason, '到店次数可向客户展示');
    assert.equal((await head.q.approve(item, { note: '已核对' }))?.action, 'approve', JSON.stringify(head.q.state.refusals));
    const stored = (await findTenant(f.db.db, tenantId))?.metrics.find((m) => m.key === 'branch_visits');
    assert.ok(stored);
    assert.equal(stored.audience, undefined, 'customer-facing now');
    assert.deepEqual(
      (['zh-CN', 'zh-TW', 'en'] as const).map((l) => APPROVALS_WORDS[l].kinds['metric-audience']),
      ['指标可见范围', '指標可見範圍', 'Metric audience'],
    );
  });
});
