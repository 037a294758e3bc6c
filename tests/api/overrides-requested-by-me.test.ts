import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintStaffToken, type Role } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { putStaffGranted, type Send } from '../support/granted-staff.js';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Page {
  items: { id: string; subject: string; requestedBy: string; requestedByYou: boolean }[];
  nextCursor: string | null;
}

/**
 * "My requests" are the caller's own (packages/api/README.md, "Staff and books"):
 * `GET /v1/overrides?requestedBy=me` lists the requests the caller filed, by person as four eyes counts
 * them — their staff token's and those of every key they own — cut in SQL, and still only within their
 * book when they are book-scoped.
 */
forEachDialect('override requests filed by the caller (requestedBy=me)', (f) => {
  let t: FourEyesTenant;
  const cred: Record<string, string> = {};
  const as = (who: string) => ({ credential: cred[who] ?? '' });
  const customer = async (id: string, manager: string | null) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    if (manager) await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const request = (who: string, id: string, scheme = 'retail-tier') =>
    t.req(as(who), 'POST', `/v1/subjects/${id}/overrides`, {
      scheme,
      level: scheme === 'retail-tier' ? 'gold' : 'high',
      mode: 'fixed',
      reason: '客户维护',
      expiresAt: null,
    });
  const list = async (who: string, query = '') => ok<Page>(await t.req(as(who), 'GET', `/v1/overrides${query}`));
  const subjects = (p: Page) => p.items.map((o) => o.subject).sort();

  before(async () => {
    t = await fourEyesTenant(f, 'requested-by-me', START);
    for (const [id, role, scope] of [
      ['RM1', 'officer', 'book'],
      ['RM2', 'officer', 'book'],
      ['OFF1', 'officer', 'tenant'],
    ] as const) {
      // A tenant-wide officer is a grant of power: a second admin approves it (tests/support/granted-staff.ts).
      const send: Send = (credential, method, path, body) => t.req({ credential }, method, path, body);
      assert.ok([201, 202].includes(await putStaffGranted(send, t.keys.admin, t.keys.admin2, id, { name: id, role: role as Role, scope })));
      cred[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    }
    // RM1's batch key (`tierkit keys create --staff RM1`): its requests are RM1's as a person.
    cred.RM1KEY = (
      await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'officer', label: 'RM1 batch', staffId: 'RM1', now: START })
    ).secret;
    await customer('M1', 'RM1');
    await customer('M2', 'RM1');
    await customer('M3', 'RM1');
    await customer('M4', 'RM2');
    await ok(await request('RM1', 'M1'), 201);
    await ok(await request('RM1KEY', 'M2'), 201);
    // A colleague's request on RM1's book: on the book, not RM1's own.
    await ok(await request('OFF1', 'M3'), 201);
    await ok(await request('RM2', 'M4'), 201);
  });

  it('a relationship manager: their own requests (token and owned key) by default, every one on the book without the filter', async () => {
    const mine = await list('RM1', '?requestedBy=me');
    assert.deepEqual(subjects(mine), ['M1', 'M2']);
    assert.ok(mine.items.every((o) => o.requestedByYou));
    // Asked with the key they own, the same person: the same list.
    assert.deepEqual(subjects(await list('RM1KEY', '?requestedBy=me')), ['M1', 'M2']);
    assert.deepEqual(subjects(await list('RM1')), ['M1', 'M2', 'M3']);
    assert.deepEqual(subjects(await list('RM2', '?requestedBy=me')), ['M4']);
  });

  it('the book still bounds it: a request the RM filed for a customer since moved to another book is not listed', async () => {
    await customer('M5', 'RM2');
    await ok(await request('RM2', 'M5'), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/M5/manager', { manager: 'RM1' }));
    assert.deepEqual(subjects(await list('RM2', '?requestedBy=me')), ['M4']);
    assert.deepEqual(subjects(await list('RM1', '?requestedBy=me')), ['M1', 'M2']);
    // Tenant-wide staff: their own across every book.
    assert.deepEqual(subjects(await list('OFF1', '?requestedBy=me')), ['M3']);
    // An unowned key is a person of its own: the fixture's officer key filed nothing.
    assert.deepEqual((await ok<Page>(await t.req('officer', 'GET', '/v1/overrides?requestedBy=me'))).items, []);
  });

  it('pages keep the filter, and it combines with status', async () => {
    const first = await list('RM1', '?requestedBy=me&limit=1');
    assert.ok(first.nextCursor);
    const second = await list('RM1', `?requestedBy=me&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
    assert.deepEqual([...subjects(first), ...subjects(second)].sort(), ['M1', 'M2']);
    assert.equal(second.nextCursor, null);
    assert.deepEqual(subjects(await list('RM1', '?requestedBy=me&status=pending')), ['M1', 'M2']);
    assert.deepEqual(subjects(await list('RM1', '?requestedBy=me&status=approved')), []);
  });

  it('anything but `me` is a 400 naming requestedBy', async () => {
    for (const bad of ['you', 'staff:RM1', ''])
      await problem(await t.req(as('RM1'), 'GET', `/v1/overrides?requestedBy=${encodeURIComponent(bad)}`), 400, 'validation');
  });

  it('another tenant’s RM1 — same staff id, a key they own, a customer of the same id — finds only their own tenant’s request', async () => {
    // As this tenant's RM1 is `staff:RM1` and owns a key, so does bank-b's: a person is a person of one tenant.
    const b = (credential: string, method: string, path: string, body?: unknown) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    await upsertStaff(f.db.db, 'bank-b', { id: 'RM1', name: 'RM1', role: 'officer', scope: 'tenant' }, START.toISOString());
    const key = (await createApiKey(f.db.db, { tenantId: 'bank-b', role: 'officer', label: 'RM1 of bank-b', staffId: 'RM1', now: START }))
      .secret;
    await ok(await b(f.keys.b, 'PUT', '/v1/subjects/M1', { kind: 'customer', displayName: '王芳' }), 201);
    const filed = await ok<{ id: string }>(
      await b(key, 'POST', '/v1/subjects/M1/overrides', {
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'fixed',
        reason: '客户维护',
        expiresAt: null,
      }),
      201,
    );
    const theirs = await ok<Page>(await b(key, 'GET', '/v1/overrides?requestedBy=me'));
    assert.deepEqual(
      theirs.items.map((o) => [o.id, o.subject]),
      [[filed.id, 'M1']],
      'bank-a’s requests by staff:RM1 (M1, and M2 by their key) are not listed',
    );
    // Seen from bank-a, the same: bank-b's request is none of RM1's.
    const ours = await list('RM1', '?requestedBy=me');
    assert.ok(!ours.items.some((o) => o.id === filed.id));
  });
});
