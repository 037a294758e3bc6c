import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey } from '@tierkit/api';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * Policy pages, the jobs page and the overrides list showed `key:key_…` for what a staff member did
 * with a key they own: nobody could tell whose it was. Like the approvals queue's `requestedByStaff`,
 * each answer names the staff member behind the key (their id, which the console shows by name), and
 * nobody behind an unowned key.
 */
forEachDialect('the staff member behind a key, in policy versions, jobs and overrides', (f) => {
  let t: FourEyesTenant;
  let alice = '';

  before(async () => {
    t = await fourEyesTenant(f, 'behind-keys', START);
    const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
    assert.ok(
      [200, 201, 202].includes(
        await putStaffGranted(send, t.keys.admin, t.keys.admin2, 'ALICE', { name: '王芳', role: 'officer', scope: 'tenant' }),
      ),
    );
    alice = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'officer', label: 'alice', staffId: 'ALICE', now: START })).secret;
    for (const id of ['W1', 'W2']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '李雷' }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
        }),
      );
    }
  });

  it('an override requested with Alice’s key names her in the list and the request; an unowned key names nobody', async () => {
    const mine = await ok<{ id: string; requestedBy: string; requestedByStaff: string | null }>(
      await requestOverride(t, 'W1', {}, { credential: alice }),
      201,
    );
    assert.match(mine.requestedBy, /^key:key_/, 'the record keeps the credential');
    assert.equal(mine.requestedByStaff, 'ALICE');
    const unowned = await ok<{ id: string }>(await requestOverride(t, 'W2', {}, 'officer'), 201);
    type List = { items: { id: string; requestedByStaff: string | null; decidedByStaff: string | null }[] };
    const list = await ok<List>(await t.req('approver', 'GET', '/v1/overrides?limit=100'));
    assert.equal(list.items.find((o) => o.id === mine.id)?.requestedByStaff, 'ALICE');
    assert.equal(list.items.find((o) => o.id === unowned.id)?.requestedByStaff, null);
    const one = await ok<{ requestedByStaff: string | null }>(await t.req('approver', 'GET', `/v1/overrides/${mine.id}`));
    assert.equal(one.requestedByStaff, 'ALICE');
  });

  it('a draft made and submitted with Alice’s key names her as author and submitter', async () => {
    const draft = await ok<{ version: number; authorsStaff: (string | null)[] }>(
      await t.req({ credential: alice }, 'POST', '/v1/policies/retail-tier/drafts', {}),
      201,
    );
    assert.deepEqual(draft.authorsStaff, ['ALICE']);
    const submitted = await ok<{ submittedBy: string; submittedByStaff: string | null; decidedByStaff: string | null }>(
      await t.req({ credential: alice }, 'POST', `/v1/policies/retail-tier/versions/${draft.version}/submit`, {}),
    );
    assert.match(submitted.submittedBy, /^key:key_/);
    assert.equal(submitted.submittedByStaff, 'ALICE');
    assert.equal(submitted.decidedByStaff, null);
    type Versions = { items: { version: number; authorsStaff: (string | null)[]; submittedByStaff: string | null }[] };
    const listed = (await ok<Versions>(await t.req('approver', 'GET', '/v1/policies/retail-tier/versions'))).items.find(
      (v) => v.version === draft.version,
    );
    assert.deepEqual([listed?.authorsStaff, listed?.submittedByStaff], [['ALICE'], 'ALICE']);
    type Schemes = { items: { scheme: string; pending: { version: number; submittedByStaff: string | null }[] }[] };
    const page = await ok<Schemes>(await t.req('approver', 'GET', '/v1/policies'));
    const summary = page.items.find((s) => s.scheme === 'retail-tier')?.pending.find((v) => v.version === draft.version);
    assert.equal(summary?.submittedByStaff, 'ALICE');
  });

  it('a re-tier started with Alice’s key names her as its starter; one by an unowned key names nobody', async () => {
    const mine = await ok<{ id: string; requestedByStaff: string | null }>(
      await t.req({ credential: alice }, 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10' }),
      201,
    );
    const unowned = await ok<{ id: string }>(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10' }), 201);
    assert.equal(mine.requestedByStaff, 'ALICE');
    const listed = await ok<{ items: { id: string; requestedByStaff: string | null }[] }>(
      await t.req('viewer', 'GET', '/v1/jobs?limit=100'),
    );
    assert.equal(listed.items.find((j) => j.id === mine.id)?.requestedByStaff, 'ALICE');
    assert.equal(listed.items.find((j) => j.id === unowned.id)?.requestedByStaff, null);
    const one = await ok<{ requestedByStaff: string | null }>(await t.req('viewer', 'GET', `/v1/jobs/${mine.id}`));
    assert.equal(one.requestedByStaff, 'ALICE');
  });
});
