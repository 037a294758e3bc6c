import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, findKeyBySecret, revokeKey } from '@tierkit/api';
import { defaultPolicyPack } from '@tierkit/core';
import { upsertStaff } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  contentHash: string;
  approvalNeeds?: string;
  approvalBlocked?: string | null;
}
interface Item {
  id: string;
  approvalNeeds: 'approver' | 'admin';
  approvalBlocked: string | null;
  requestedByYou: boolean;
}

const days = (n: number) => new Date(START.getTime() + n * 86_400_000).toISOString();

/*
 * Four eyes bars a request's maker from deciding it, so an admin-level request filed by the tenant's
 * only tenant-wide admin could be approved by nobody on staff. The request says so at once — the
 * filing answer and the queue (`approvalBlocked: no-other-admin`) — and it waits for a promotion; the
 * maker never approves it (packages/api/README.md, "Four eyes"). An unrevoked unowned admin key can
 * decide it, so counts: the tenant's are revoked before it reads blocked.
 */
forEachDialect('a request nobody on staff but its maker could approve says so', (f) => {
  let t: FourEyesTenant;
  /** Admin E1's own key: four eyes counts it as E1. */
  let e1 = '';
  const loosen = (subject: string, who: 'officer' | { credential: string }) =>
    t.req(who, 'POST', `/v1/subjects/${subject}/overrides`, {
      scheme: 'aml-risk',
      level: 'low',
      mode: 'fixed',
      reason: '复核',
      expiresAt: days(90),
    });
  const queue = async () =>
    Object.fromEntries(
      (await ok<{ items: Item[] }>(await t.req('approver', 'GET', '/v1/approvals?kind=override&limit=100'))).items.map((i) => [i.id, i]),
    );
  before(async () => {
    t = await fourEyesTenant(f, 'approvals-blocked', START, defaultPolicyPack);
    for (const id of ['E1', 'E2'])
      await upsertStaff(f.db.db, t.tenantId, { id, name: id, role: 'admin', scope: 'tenant' }, START.toISOString());
    e1 = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'admin', label: 'E1', staffId: 'E1', now: START })).secret;
    // A politically exposed person is graded 高 whatever the scores: an override holding them 低 needs an admin.
    for (const id of ['PEP1', 'PEP2', 'PEP3']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: id }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [
            { metric: 'pep', period: '2025-10', value: 1 },
            { metric: 'aml_customer_risk', period: '2025-10', value: 20 },
          ],
        }),
      );
    }
  });

  it('with another admin on staff nothing is blocked; once the maker is the last admin, the queue says no-other-admin', async () => {
    const byOfficer = await ok<Override>(await loosen('PEP1', 'officer'), 201);
    const byE1 = await ok<Override>(await loosen('PEP2', { credential: e1 }), 201);
    assert.deepEqual([byE1.approvalNeeds, byE1.approvalBlocked], ['admin', null], 'E2 may approve it');
    assert.deepEqual([byOfficer.approvalNeeds, byOfficer.approvalBlocked], ['admin', null]);
    let items = await queue();
    assert.equal(items[byE1.id]?.approvalBlocked, null);

    // Demoting E2 is allowed (E1 remains a tenant-wide admin, and taking power away is immediate).
    await ok(await t.req({ credential: e1 }, 'PUT', '/v1/staff/E2', { name: 'E2', role: 'approver', scope: 'tenant' }));
    // The tenant's unowned admin keys can still decide E1's request: not blocked while they exist.
    items = await queue();
    assert.equal(items[byE1.id]?.approvalBlocked, null, 'an unowned admin key may approve it');
    // Revoked, nobody but its maker is left to approve it.
    for (const secret of [t.keys.admin, t.keys.admin2]) {
      const key = await findKeyBySecret(f.db.db, secret);
      assert.ok(key);
      await revokeKey(f.db.db, key.id, START);
    }
    items = await queue();
    assert.equal(items[byE1.id]?.approvalNeeds, 'admin');
    assert.equal(items[byE1.id]?.approvalBlocked, 'no-other-admin', 'nobody but its maker is an admin on staff');
    assert.equal(items[byOfficer.id]?.approvalBlocked, null, 'E1 may approve the officer’s request');

    // The maker is never the way out: E1 may not approve their own request, whoever else is left.
    await problem(
      await t.req({ credential: e1 }, 'POST', `/v1/overrides/${byE1.id}/approve`, { contentHash: byE1.contentHash }),
      403,
      'four-eyes',
    );

    // Filed now, the answer says so at once.
    const late = await ok<Override>(await loosen('PEP3', { credential: e1 }), 201);
    assert.deepEqual([late.approvalNeeds, late.approvalBlocked], ['admin', 'no-other-admin']);

    // Over HTTP, E1 promoting E2 is itself a grant nobody but E1 and E2 could decide: it says so.
    const grant = await ok<{ approvalBlocked: string | null }>(
      await t.req({ credential: e1 }, 'PUT', '/v1/staff/E2', { name: 'E2', role: 'admin', scope: 'tenant' }),
      202,
    );
    assert.equal(grant.approvalBlocked, 'no-other-admin');
    // The operator's break-glass (`tierkit staff role`, through the library) promotes another admin and unblocks both.
    await upsertStaff(f.db.db, t.tenantId, { id: 'E2', name: 'E2', role: 'admin', scope: 'tenant' }, START.toISOString());
    items = await queue();
    assert.equal(items[byE1.id]?.approvalBlocked, null);
    assert.equal(items[late.id]?.approvalBlocked, null);
  });

  it('a book-scoped admin does not count as someone who could approve', async () => {
    await ok(await t.req({ credential: e1 }, 'PUT', '/v1/staff/E2', { name: 'E2', role: 'admin', scope: 'book' }));
    const items = await queue();
    const blocked = Object.values(items).filter((i) => i.approvalBlocked === 'no-other-admin');
    assert.equal(blocked.length, 2, JSON.stringify(items));
    await upsertStaff(f.db.db, t.tenantId, { id: 'E2', name: 'E2', role: 'admin', scope: 'tenant' }, START.toISOString());
  });
});
