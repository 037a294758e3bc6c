import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findKeyBySecret, mintStaffToken, revokeKey } from '@tierkit/api';
import { validatePolicyPack, type PolicyPack } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { retireByTwo } from '../support/retire.js';
import { fourEyesPack, fourEyesTenant, ok, problem, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Filed {
  id: string;
  contentHash: string;
  approvalBlocked: string | null;
}

/**
 * The card tier's overrides are the line's own (an RM files them) but need the senior approver, an
 * admin; the AML grade's only tenant-wide staff may file (a control function's exception).
 */
function limitsPack(): PolicyPack {
  const pack = fourEyesPack();
  const schemes = pack.schemes.map((s) =>
    s.key === 'retail-tier'
      ? { ...s, overrides: { requestedBy: 'book' as const, approvedBy: 'admin' as const, maxDays: null } }
      : s.key === 'aml-test'
        ? { ...s, overrides: { requestedBy: 'tenant' as const, approvedBy: 'approver' as const, maxDays: null } }
        : s,
  );
  const checked = validatePolicyPack({ metrics: pack.metrics, schemes });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.pack;
}

/*
 * What a team lead may not decide however senior their role (docs/permissions.md, "team lead approver"):
 * a lead made a book-scoped admin decides as an approver, so a rule asking for an admin stays the bank's
 * admins'; and the override requests of a scheme only bank-wide staff may file stay bank-wide approvers'.
 * Neither is in the lead's queue, nor counted as someone who could decide.
 */
forEachDialect('a team lead decides neither what needs an admin nor a bank-wide scheme’s exception', (f) => {
  let t: FourEyesTenant;
  const token: Record<string, string> = {};
  const as = (id: string) => ({ credential: token[id] ?? '' });
  const granted = async (res: Response) => {
    const g = await ok<{ id: string; contentHash: string }>(res, 202);
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }));
  };
  const queue = async (who: string) =>
    (await ok<{ items: { kind: string; subject: string }[] }>(await t.req(as(who), 'GET', '/v1/approvals?limit=100'))).items.map(
      (i) => `${i.kind}:${i.subject}`,
    );

  before(async () => {
    t = await fourEyesTenant(f, 'lead-limits', START, limitsPack());
    await ok(await t.req('admin', 'PUT', '/v1/staff/RMA', { name: 'RMA', role: 'officer', scope: 'book' }), 201);
    await granted(await t.req('admin', 'PUT', '/v1/staff/LEADX', { name: 'LEADX', role: 'admin', scope: 'book' }));
    await granted(await t.req('admin', 'PUT', '/v1/teams/TX', { name: 'TX', lead: 'LEADX' }));
    await granted(await t.req('admin', 'POST', '/v1/teams/TX/books', { add: ['RMA'] }));
    for (const id of ['RMA', 'LEADX'])
      token[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    await ok(await t.req('officer', 'PUT', '/v1/subjects/A1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/A1/manager', { manager: 'RMA' }));
  });

  it('a book-scoped admin does not approve what the rule asks an admin for, nor counts as one', async () => {
    // No tenant-wide admin key is left: only the lead, were they counted, could decide.
    for (const secret of [t.keys.admin, t.keys.admin2]) {
      const key = await findKeyBySecret(f.db.db, secret);
      assert.ok(key);
      await revokeKey(f.db.db, key.id, START);
    }
    const filed = await ok<Filed>(await requestOverride(t, 'A1', {}, as('RMA')), 201);
    assert.equal(filed.approvalBlocked, 'no-other-admin');
    assert.deepEqual(await queue('LEADX'), []);
    await problem(
      await t.req(as('LEADX'), 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }),
      403,
      'forbidden',
    );
    const still = await ok<{ status: string }>(await t.req('officer', 'GET', `/v1/overrides/${filed.id}`));
    assert.equal(still.status, 'pending', 'nothing was approved');
  });

  it('the exception of a scheme only bank-wide staff file is decided bank-wide, not by the lead', async () => {
    const filed = await ok<Filed>(
      await requestOverride(t, 'A1', { scheme: 'aml-test', level: 'low', reason: 'false positive' }, 'officer'),
      201,
    );
    assert.deepEqual(await queue('LEADX'), []);
    for (const action of ['approve', 'reject']) {
      const res = await t.req(as('LEADX'), 'POST', `/v1/overrides/${filed.id}/${action}`, { contentHash: filed.contentHash, note: 'x' });
      const body = (await res.json()) as { type: string; errors?: { code: string }[] };
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.equal(body.errors?.[0]?.code, 'tenant_wide_decision');
    }
    const still = await ok<{ status: string }>(await t.req('officer', 'GET', `/v1/overrides/${filed.id}`));
    assert.equal(still.status, 'pending', 'nothing was decided');
  });

  it('a request whose scheme was retired since leaves the lead’s queue, as the lead may not decide it; a bank-wide approver rejects it', async () => {
    const body = { scheme: 'risk-value-test', level: 'observe', mode: 'fixed', reason: 'watch list', expiresAt: null };
    const filed = await ok<Filed>(await t.req(as('RMA'), 'POST', '/v1/subjects/A1/overrides', body), 201);
    const ids = async (who: 'approver2' | { credential: string }) =>
      (await ok<{ items: { id: string }[] }>(await t.req(who, 'GET', '/v1/approvals?limit=100'))).items.map((i) => i.id);
    assert.ok((await ids(as('LEADX'))).includes(filed.id), 'in force, the line’s own exception: the lead’s to decide');
    await ok(
      await retireByTwo(
        (path, b) => t.req('approver', 'POST', path, b),
        (path, b) => t.req('approver2', 'POST', path, b),
        'risk-value-test',
        1,
        'matrix dropped',
      ),
    );
    assert.ok(!(await ids(as('LEADX'))).includes(filed.id), 'retired: no rule in force makes it the line’s');
    // Asked for by name, the retired scheme is one the lead's queue does not have: the 400 of a mistyped one.
    const unknown = (await (await t.req(as('LEADX'), 'GET', '/v1/approvals?scheme=risk-value-test')).json()) as {
      status: number;
      errors?: { code: string }[];
    };
    assert.equal(unknown.status, 400, JSON.stringify(unknown));
    assert.equal(unknown.errors?.[0]?.code, 'unknown_scheme');
    for (const action of ['approve', 'reject']) {
      const res = await t.req(as('LEADX'), 'POST', `/v1/overrides/${filed.id}/${action}`, { contentHash: filed.contentHash, note: 'x' });
      const refused = (await res.json()) as { errors?: { code: string; params?: unknown }[] };
      assert.equal(res.status, 403, JSON.stringify(refused));
      assert.deepEqual(refused.errors?.[0]?.code, 'scheme_not_in_force', 'told why: the scheme, not a bank-wide rule');
    }
    const queue = await ok<{ items: { id: string; ruleProblems?: unknown }[] }>(await t.req('approver2', 'GET', '/v1/approvals?limit=100'));
    assert.deepEqual(
      queue.items.find((i) => i.id === filed.id)?.ruleProblems,
      [{ code: 'scheme_not_in_force', params: { scheme: 'risk-value-test' } }],
      'still waiting in the bank’s queue, saying why approving it is refused',
    );
    const approve = await t.req('approver2', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash, note: 'x' });
    const unprocessable = (await approve.json()) as { errors?: { code: string }[] };
    assert.equal(approve.status, 422, JSON.stringify(unprocessable));
    assert.equal(unprocessable.errors?.[0]?.code, 'scheme_not_in_force');
    assert.equal((await ok<{ status: string }>(await t.req('officer', 'GET', `/v1/overrides/${filed.id}`))).status, 'pending');
    const rejected = await ok<{ status: string }>(
      await t.req('approver2', 'POST', `/v1/overrides/${filed.id}/reject`, { contentHash: filed.contentHash, note: 'scheme retired' }),
    );
    assert.equal(rejected.status, 'rejected');
  });
});
