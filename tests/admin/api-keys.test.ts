import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FOUR_EYES_KEY_ROLES, issueApiKey, keyOwnerRule, keyRevocationRefusal, readApiKeys, revokeApiKey } from '@tierkit/admin';
import { FOUR_EYES_ROLES, mintStaffToken } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { NOW } from '../support/api-fixture.js';
import type { Session } from '@tierkit/client';
import { kitFixture, refusal } from './kit-fixture.js';

describe('the admin kit’s API key functions against the real API', () => {
  const f = kitFixture();

  it('an admin issues a key, sees it listed without its secret, revokes it, and the key stops working', async () => {
    const admin = f.client('admin');
    const before = await readApiKeys(admin, { limit: 100 });
    const { key, secret } = await issueApiKey(admin, { role: 'viewer', label: '  branch kiosk ' });
    assert.equal(key.label, 'branch kiosk');
    // The list the client had cached is forgotten by the write: the new key shows at once.
    const after = await readApiKeys(admin, { limit: 100 });
    assert.equal(after.items.length, before.items.length + 1);
    assert.deepEqual(
      after.items.find((k) => k.id === key.id),
      key,
    );
    assert.equal(JSON.stringify(after).includes(secret), false);
    const works = await f.app.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(works.status, 200);

    const revoked = await revokeApiKey(admin, key.id);
    assert.equal(revoked.state, 'revoked');
    assert.equal((await readApiKeys(admin, { limit: 100 })).items.find((k) => k.id === key.id)?.state, 'revoked');
    const refused = await f.app.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(refused.status, 401);
  });

  it('pages with the cursor the API gave', async () => {
    const admin = f.client('admin');
    await issueApiKey(admin, { role: 'viewer', label: 'page 1' });
    await issueApiKey(admin, { role: 'viewer', label: 'page 2' });
    const first = await readApiKeys(admin, { limit: 1 });
    assert.ok(first.nextCursor);
    const second = await readApiKeys(admin, { limit: 1, cursor: first.nextCursor });
    assert.notEqual(second.items[0]?.id, first.items[0]?.id);
  });

  it('the API’s refusals reach the caller as kit errors: a key that files or decides is the caller’s own, so a credential of nobody is refused `role` and `staff`; an officer may not list', async () => {
    const unowned = await refusal(() => issueApiKey(f.client('admin'), { role: 'approver', label: 'checker', staff: 'OFF1' }));
    assert.equal(unowned.status, 400);
    assert.deepEqual(
      unowned.errors?.map((e) => [e.path, e.code]),
      [
        ['role', 'invalid_value'],
        ['staff', 'invalid_value'],
      ],
    );
    const officer = await refusal(() => readApiKeys(f.client('OFF1')));
    assert.equal(officer.status, 403);
  });

  it('revoking the tenant’s last admin key, or the key one is signed in with, is a refusal the kit names; the key stays', async () => {
    const admin = f.client('admin');
    const adminKeys = async () =>
      (await readApiKeys(admin, { limit: 100 })).items.filter((k) => k.role === 'admin' && k.state === 'active');
    // The fixture's second admin key approves staff grants; revoked, the fixture's own is the tenant's last.
    for (const k of await adminKeys()) if (k.label === 'kit tests, second admin') await revokeApiKey(admin, k.id);
    const mine = await adminKeys();
    assert.equal(mine.length, 1, 'the fixture’s admin key is the tenant’s only one');
    const id = mine[0]?.id ?? '';
    // Signed in with it, it is the key's own revocation, whatever else remains.
    const own = await refusal(() => revokeApiKey(admin, id));
    assert.equal(keyRevocationRefusal(own), 'own-key');
    // A tenant-wide admin's staff token (the console's credential) meets the last admin key.
    await upsertStaff(f.db.db, 'bank-a', { id: 'ADM1', name: 'ADM1 管理员', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const fromConsole = f.clientWith((await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'ADM1', now: NOW })).token);
    const last = await refusal(() => revokeApiKey(fromConsole, id));
    assert.equal(keyRevocationRefusal(last), 'last-admin-key');
    assert.equal((await readApiKeys(admin, { limit: 100 })).items.find((k) => k.id === id)?.state, 'active');
    // Other errors are none of these: a 404, a 409 of another type.
    assert.equal(keyRevocationRefusal(await refusal(() => revokeApiKey(admin, 'key_nobody'))), undefined);
    assert.equal(keyRevocationRefusal({ status: 409, title: 'x', type: 'https://tierkit.dev/problems/conflict' }), undefined);
    assert.equal(keyRevocationRefusal(undefined), undefined);
  });
});

describe('keyOwnerRule: whose key a session may issue, as the API decides it', () => {
  const session = (staff: string | null): Pick<Session, 'staff'> => ({
    staff: staff ? { id: staff, name: staff, role: 'admin', scope: 'tenant', createdAt: '', updatedAt: '' } : null,
  });

  it('officer keys and above are the signed-in person’s own; below, anyone’s or nobody’s', () => {
    // The kit cannot import the API's list (it runs in browsers): the two must not drift.
    assert.deepEqual(FOUR_EYES_KEY_ROLES, FOUR_EYES_ROLES);
    assert.deepEqual(FOUR_EYES_KEY_ROLES, ['officer', 'approver', 'admin']);
    assert.deepEqual(keyOwnerRule(session('ALICE'), 'approver'), { allowed: true, owner: 'ALICE' });
    assert.deepEqual(keyOwnerRule(session('ALICE'), 'officer'), { allowed: true, owner: 'ALICE' });
    assert.deepEqual(keyOwnerRule(session('ALICE'), 'analyst'), { allowed: true, owner: undefined });
  });

  it('a credential of no staff member may not issue them at all (the CLI does)', () => {
    assert.deepEqual(keyOwnerRule(session(null), 'officer'), { allowed: false, owner: undefined });
    assert.deepEqual(keyOwnerRule(session(null), 'viewer'), { allowed: true, owner: undefined });
  });
});
