import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { readersTestPack } from '../support/test-pack.js';

/**
 * Internal audit (docs/permissions.md, "Internal audit"): a bank's auditor was made an approver to read
 * the trail, and could then approve an RM's override. The `auditor` role reads the trail and governance
 * — by key and by staff token alike — and every write or decision is a 403 with nothing changed.
 */
forEachDialect('internal audit: the auditor reads governance and decides nothing', (f) => {
  let t: FourEyesTenant;
  const auditor: Record<'key' | 'token', string> = { key: '', token: '' };
  let pending: { id: string; contentHash: string };

  before(async () => {
    t = await fourEyesTenant(f, 'internal-audit', START, readersTestPack());
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    // Made an auditor by four eyes: a change to the role is a grant another admin approves.
    assert.equal(await putStaffGranted(send, t.keys.admin, t.keys.admin2, 'AUD01', { name: '赵审计', role: 'auditor' }), 202);
    auditor.key = (
      await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'auditor', label: 'audit', staffId: 'AUD01', now: START })
    ).secret;
    auditor.token = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'AUD01', ttlSeconds: 900, now: START })).token;
    await ok(await t.req('officer', 'PUT', '/v1/subjects/C1', { kind: 'customer', displayName: '王芳' }), 201);
    pending = await ok(await requestOverride(t, 'C1'), 201);
  });

  for (const via of ['key', 'token'] as const) {
    it(`reads the trail, the queue, decisions, every scheme's policy, jobs, imports, staff and grants (${via})`, async () => {
      const as = { credential: auditor[via] };
      const session = await ok<{ role: string; can: Record<string, boolean> }>(await t.req(as, 'GET', '/v1/session'));
      assert.equal(session.role, 'auditor');
      assert.deepEqual(session.can, { readSubjects: false, writeSubjects: false, assignManagers: false, manageStaff: false });
      const trail = await ok<{ items: { route: string }[] }>(await t.req(as, 'GET', '/v1/audit'));
      assert.ok(
        trail.items.some((r) => r.route.includes('overrides')),
        `trail: ${JSON.stringify(trail.items.map((r) => r.route))}`,
      );
      assert.equal((await t.req(as, 'GET', '/v1/audit/export?format=csv')).status, 200);
      assert.equal((await t.req(as, 'GET', '/v1/audit/export?format=jsonl')).status, 200);
      const verified = await ok<{ ok: boolean }>(await t.req(as, 'GET', '/v1/audit/verify'));
      assert.equal(verified.ok, true);
      const queue = await ok<{ items: { id: string }[] }>(await t.req(as, 'GET', '/v1/approvals'));
      assert.ok(
        queue.items.some((i) => i.id === pending.id),
        `queue: ${JSON.stringify(queue.items.map((i) => i.id))}`,
      );
      await ok(await t.req(as, 'GET', '/v1/overrides'));
      await ok(await t.req(as, 'GET', `/v1/overrides/${pending.id}`));
      // The AML grade's policy, which its readers (officers, approvers, admins) keep from a viewer or analyst.
      const policies = await ok<{ items: { scheme: string }[] }>(await t.req(as, 'GET', '/v1/policies'));
      assert.ok(
        policies.items.some((p) => p.scheme === 'aml-test'),
        `policies: ${JSON.stringify(policies.items.map((p) => p.scheme))}`,
      );
      await ok(await t.req(as, 'GET', '/v1/policies/aml-test/versions'));
      const analyst = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'analyst', label: `analyst ${via}`, now: START })).secret;
      await problem(await t.req({ credential: analyst }, 'GET', '/v1/policies/aml-test/versions'), 403, 'forbidden');
      for (const path of ['/v1/jobs', '/v1/imports', '/v1/staff', '/v1/staff/AUD01', '/v1/staff-grants', '/v1/metrics', '/v1/schemes'])
        await ok(await t.req(as, 'GET', path));
      // The staff list filters by the auditor role as by any other (it was a 400: the filter knew the five roles only).
      const auditors = await ok<{ items: { id: string; role: string }[] }>(await t.req(as, 'GET', '/v1/staff?role=auditor'));
      assert.ok(
        auditors.items.some((s) => s.id === 'AUD01' && s.role === 'auditor'),
        JSON.stringify(auditors.items),
      );
    });

    it(`is refused every decision and write, nothing changed, and customers' data (${via})`, async () => {
      const as = { credential: auditor[via] };
      const refused: [string, string, unknown?][] = [
        ['POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }],
        ['POST', `/v1/overrides/${pending.id}/reject`, { contentHash: pending.contentHash, note: 'no' }],
        ['POST', '/v1/subjects/C1/overrides', { scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: 'x', expiresAt: null }],
        ['PUT', '/v1/subjects/C1/metrics', { metrics: [] }],
        ['POST', '/v1/policies/retail-tier/drafts', {}],
        ['PUT', '/v1/staff/AUD01', { name: '赵审计', role: 'admin' }],
        ['POST', '/v1/keys', { role: 'viewer', label: 'x' }],
        ['POST', '/v1/embed-tokens', { subject: 'C1' }],
        ['POST', '/v1/jobs', {}],
        ['GET', '/v1/subjects'],
        ['GET', '/v1/subjects/C1/tiers'],
        ['GET', '/v1/analytics/distribution?scheme=retail-tier'],
      ];
      for (const [method, path, body] of refused) {
        const res = await t.req(as, method, path, body);
        assert.equal(res.status, 403, `${method} ${path}: ${res.status}`);
      }
      const still = await ok<{ status: string; decidedBy: string | null }>(await t.req('viewer', 'GET', `/v1/overrides/${pending.id}`));
      assert.deepEqual([still.status, still.decidedBy], ['pending', null]);
    });
  }

  it('reads how an import went, never the text of a refused cell (a customer number, a balance)', async () => {
    const file = 'id,name,closedAt\nC 77881,王五,\nC2,李四,2026-13-45T00:00:00Z\nC3,张三,\n';
    const res = await t.app.request('/v1/imports?kind=subjects&mode=valid-rows', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.keys.officer}`, 'Content-Type': 'text/csv' },
      body: file,
    });
    const made = (await res.json()) as { id: string };
    assert.equal(res.status, 201, JSON.stringify(made));
    type Detail = { rejectedRows: number; errors: { items: { line: number; column: string; message: string; params?: object }[] } };
    const officer = await ok<Detail>(await t.req('officer', 'GET', `/v1/imports/${made.id}`));
    assert.match(JSON.stringify(officer.errors.items), /C 77881/, 'the officer who ran it sees the cells');
    const audited = await ok<Detail>(await t.req({ credential: auditor.key }, 'GET', `/v1/imports/${made.id}`));
    assert.equal(audited.rejectedRows, officer.rejectedRows);
    assert.deepEqual(
      audited.errors.items.map((e) => [e.line, e.column]),
      officer.errors.items.map((e) => [e.line, e.column]),
    );
    const seen = JSON.stringify(audited.errors.items);
    assert.doesNotMatch(seen, /77881|2026-13-45/, seen);
    assert.ok(
      audited.errors.items.every((e) => e.message.startsWith('the cell')),
      seen,
    );
  });

  it('reads who made an import by a key it does not own as the trail names it: the key’s label, never its id alone nor a secret', async () => {
    const file = 'id,name\nC501,王五\n';
    const res = await t.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.keys.officer}`, 'Content-Type': 'text/csv' },
      body: file,
    });
    type Made = { id: string; createdBy: string; createdByStaff: string | null; createdByKeyLabel: string | null };
    const made = (await res.json()) as Made;
    assert.equal(res.status, 201, JSON.stringify(made));
    assert.match(made.createdBy, /^key:/);
    // The fixture's unowned officer key is labelled as its holder.
    assert.deepEqual([made.createdByStaff, made.createdByKeyLabel], [null, 'officer']);
    const listed = await ok<{ items: Made[] }>(await t.req({ credential: auditor.key }, 'GET', '/v1/imports'));
    const item = listed.items.find((i) => i.id === made.id);
    assert.deepEqual(item && [item.createdBy, item.createdByStaff, item.createdByKeyLabel], [made.createdBy, null, 'officer']);
    const opened = await ok<Made>(await t.req({ credential: auditor.token }, 'GET', `/v1/imports/${made.id}`));
    assert.equal(opened.createdByKeyLabel, 'officer');
    assert.ok(!JSON.stringify(listed).includes(t.keys.officer), 'never the key’s secret');
  });

  it("reads a metrics import's duplicate and unknown-subject rows without the customer's number or balances", async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/C000301', { kind: 'customer', displayName: '钱七' }), 201);
    const file = [
      'subject,metric,period,value',
      'C000301,avg_daily_balance,2025-10,1234500',
      'C000301,avg_daily_balance,2025-10,99900',
      'C000399,avg_daily_balance,2025-10,500',
    ].join('\n');
    const res = await t.app.request('/v1/imports?kind=metrics&amounts=fen&mode=valid-rows', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.keys.officer}`, 'Content-Type': 'text/csv' },
      body: file,
    });
    const made = (await res.json()) as { id: string };
    assert.equal(res.status, 201, JSON.stringify(made));
    type Detail = { errors: { items: { line: number; code: string; message: string; params?: Record<string, unknown> }[] } };
    const officer = await ok<Detail>(await t.req('officer', 'GET', `/v1/imports/${made.id}`));
    assert.deepEqual(
      officer.errors.items.map((e) => [e.line, e.code]),
      [
        [3, 'duplicate'],
        [4, 'unknown_subject'],
      ],
    );
    assert.match(JSON.stringify(officer.errors.items), /C000301[\s\S]*1234500[\s\S]*C000399/, 'the officer who ran it sees them');
    const audited = await ok<Detail>(await t.req({ credential: auditor.token }, 'GET', `/v1/imports/${made.id}`));
    assert.deepEqual(
      audited.errors.items.map((e) => [e.line, e.code]),
      officer.errors.items.map((e) => [e.line, e.code]),
    );
    const seen = JSON.stringify(audited.errors.items);
    assert.doesNotMatch(seen, /C000301|C000399|1234500|99900/, seen);
    assert.ok(
      audited.errors.items.every((e) => e.params !== undefined && !('subject' in e.params) && !('value' in e.params)),
      seen,
    );
    // What went wrong still reads: the metric, the month and the first line of a duplicate stay.
    assert.deepEqual(audited.errors.items[0]?.params, { metric: 'avg_daily_balance', month: '2025-10', line: 2 });
    assert.match(
      audited.errors.items[0]?.message ?? '',
      /^avg_daily_balance for 2025-10 of the cell is given a different value on line 2$/,
    );
    assert.match(audited.errors.items[1]?.message ?? '', /^no subject the cell in this tenant/);
  });

  it('an auditor key is never issued over HTTP, and stops when its owner is no longer an auditor', async () => {
    await problem(await t.req('admin', 'POST', '/v1/keys', { role: 'auditor', label: 'audit', staff: 'AUD01' }), 400);
    // A book-scoped auditor would read nothing it audits.
    await problem(await t.req('admin', 'PUT', '/v1/staff/AUD02', { name: 'x', role: 'auditor', scope: 'book' }), 400);
    const key = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'auditor', label: 'spare', staffId: 'AUD01', now: START }))
      .secret;
    // From auditor to viewer is no step down (a viewer reads customers' tiers): a grant again. Then the key acts as nobody.
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    assert.equal(await putStaffGranted(send, t.keys.admin, t.keys.admin2, 'AUD01', { name: '赵审计', role: 'viewer' }), 202);
    assert.equal((await t.req({ credential: key }, 'GET', '/v1/audit')).status, 401);
  });
});

/**
 * One person, one set of rights: a key and a staff token of the same role call the same routes
 * (packages/api/README.md, "Staff and books"). A viewer's console read the analytics while their key got 403.
 */
forEachDialect('keys and staff tokens of one role agree', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'one-person', START);
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    for (const [id, role] of [
      ['V01', 'viewer'],
      ['A01', 'analyst'],
    ] as const)
      await putStaffGranted(send, t.keys.admin, t.keys.admin2, id, { name: id, role });
  });

  it('a viewer and an analyst get the same answer by key and by staff token', async () => {
    for (const [id, role] of [
      ['V01', 'viewer'],
      ['A01', 'analyst'],
    ] as const) {
      const key = (await createApiKey(f.db.db, { tenantId: t.tenantId, role, label: id, staffId: id, now: START })).secret;
      const token = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
      for (const path of ['/v1/analytics/distribution?scheme=retail-tier', '/v1/policies', '/v1/audit']) {
        const byKey = (await t.req({ credential: key }, 'GET', path)).status;
        const byToken = (await t.req({ credential: token }, 'GET', path)).status;
        assert.equal(byKey, byToken, `${role} ${path}: key ${byKey}, token ${byToken}`);
      }
    }
  });
});
