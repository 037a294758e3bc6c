import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, mintStaffToken, provisionTenant, type Role } from '@tierkit/api';
import { assignManagers, insertSubjects, upsertStaff, type Db } from '@tierkit/db';
import { putStaffOverHttp } from '../../packages/api/src/services/staff-changes.js';
import { forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { answeredOrBlockedBy, backendPid, blockedBy } from '../support/pg-lock-waits.js';
import { problem } from '../support/problems.js';
import { checkedResponses } from '../support/openapi-responses.js';
import { testPack } from '../support/test-pack.js';

/*
 * Staff changes over HTTP never take the tenant's last tenant-wide admin away (nobody could then decide
 * what a policy asks an admin for: `overrides.loosenNeeds: admin`), nor the owner of its last admin key
 * that administers it over HTTP (packages/api/README.md, "Staff and books"). The library is the way back.
 */

function send(
  f: { app: ApiFixture['app'] },
  credential: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return f.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const LAST_ADMIN = 'https://tierkit.dev/problems/last-admin-staff';

forEachDialect('Staff changes over HTTP leave a tenant-wide admin', (f) => {
  let tenants = 0;
  /** A tenant of its own, its staff made with the library (as the bank's backend does), and a token per member. */
  async function tenant() {
    const id = `staff-lock-${++tenants}`;
    await provisionTenant(f.db.db, { id, name: id, pack: testPack(), now: NOW });
    return {
      id,
      staff: async (staffId: string, role: Role, scope: 'tenant' | 'book' = 'tenant') => {
        await upsertStaff(f.db.db, id, { id: staffId, name: staffId, role, scope }, NOW.toISOString());
        return (await mintStaffToken(f.db.db, { tenantId: id, staffId, now: NOW })).token;
      },
      key: async (role: Role, staffId?: string) =>
        (
          await createApiKey(f.db.db, {
            tenantId: id,
            role,
            label: `${role} ${staffId ?? 'unowned'}`,
            now: NOW,
            ...(staffId ? { staffId } : {}),
          })
        ).secret,
      member: async (staffId: string) =>
        f.db.db.selectFrom('staff').select(['role', 'scope']).where('tenant_id', '=', id).where('id', '=', staffId).executeTakeFirst(),
    };
  }
  const put = (credential: string, id: string, role: string, scope = 'tenant', headers: Record<string, string> = {}) =>
    send(f, credential, 'PUT', `/v1/staff/${id}`, { name: id, role, scope }, headers);

  it('demoting the last tenant-wide admin, or making them book-scoped, is a 409 last-admin-staff that changes nothing; audited', async () => {
    const t = await tenant();
    const boss = await t.staff('BOSS', 'admin');
    // A book-scoped admin is no tenant-wide admin: it does not count as one who remains.
    await t.staff('BOOKADM', 'admin', 'book');
    const admin = await t.key('admin');
    for (const [role, scope] of [
      ['approver', 'tenant'],
      ['admin', 'book'],
    ] as const) {
      const p = await problem(await put(admin, 'BOSS', role, scope, { 'X-Request-Id': `demote-${role}` }), 409);
      assert.equal(p.type, LAST_ADMIN);
      assert.match(p.detail ?? '', /last tenant-wide admin/);
      assert.deepEqual(await t.member('BOSS'), { role: 'admin', scope: 'tenant' });
    }
    // Their own token is refused the same: an admin may not demote themselves out of the last seat.
    assert.equal((await problem(await put(boss, 'BOSS', 'officer'), 409)).type, LAST_ADMIN);
    const audit = (await (await send(f, admin, 'GET', '/v1/audit?limit=50')).json()) as {
      items: { requestId: string; phase: string; status: number | null; problem: string | null; detail: unknown }[];
    };
    const result = audit.items.find((r) => r.requestId === 'demote-approver' && r.phase === 'result');
    assert.equal(result?.status, 409);
    assert.equal(result?.problem, 'last-admin-staff');
    assert.deepEqual(result?.detail, {
      before: { name: 'BOSS', role: 'admin', scope: 'tenant' },
      after: { name: 'BOSS', role: 'approver', scope: 'tenant' },
    });
    // Renaming keeps the seat: not a demotion.
    assert.equal((await send(f, admin, 'PUT', '/v1/staff/BOSS', { name: '新名字', role: 'admin', scope: 'tenant' })).status, 200);
  });

  it('with a second tenant-wide admin one may be demoted, then the other is refused', async () => {
    const t = await tenant();
    const one = await t.staff('ADM1', 'admin');
    await t.staff('ADM2', 'admin');
    assert.equal((await put(one, 'ADM2', 'officer')).status, 200);
    assert.deepEqual(await t.member('ADM2'), { role: 'officer', scope: 'tenant' });
    assert.equal((await problem(await put(one, 'ADM1', 'officer'), 409)).type, LAST_ADMIN);
    // Promoting someone else first opens the way: a grant, which a second admin (an unowned key here) approves.
    const grant = (await (await put(one, 'ADM2', 'admin')).json()) as { id: string; contentHash: string; status: string };
    assert.equal(grant.status, 'pending');
    const ops = await t.key('admin');
    assert.equal((await send(f, ops, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash })).status, 200);
    assert.equal((await put(one, 'ADM1', 'officer')).status, 200);
  });

  it('demoting the owner of the last admin key that administers over HTTP is refused, though another tenant-wide admin remains', async () => {
    const t = await tenant();
    const other = await t.staff('OTHER', 'admin');
    await t.staff('OWNER', 'admin');
    await t.key('admin', 'OWNER');
    const p = await problem(await put(other, 'OWNER', 'approver'), 409);
    assert.equal(p.type, LAST_ADMIN);
    assert.match(p.detail ?? '', /last admin key/);
    assert.deepEqual(await t.member('OWNER'), { role: 'admin', scope: 'tenant' });
    // With an unowned admin key besides, the owner may go.
    await t.key('admin');
    assert.equal((await put(other, 'OWNER', 'approver')).status, 200);
  });

  it('other changes are not guarded: creating members, changing non-admins, promoting (a grant for a second admin)', async () => {
    const t = await tenant();
    const admin = await t.staff('ONLY', 'admin');
    assert.equal((await put(admin, 'RM1', 'officer', 'book')).status, 201);
    assert.equal((await put(admin, 'RM1', 'viewer', 'book')).status, 200);
    assert.equal((await put(admin, 'RM1', 'admin', 'tenant')).status, 202);
    // Another tenant's admins do not count: bank-a's key writes bank-a's staff, never this tenant's last admin.
    assert.equal((await put(f.keys.a, 'ONLY', 'officer', 'book')).status, 201);
    assert.deepEqual(await t.member('ONLY'), { role: 'admin', scope: 'tenant' });
  });

  // Only the outcome: SQLite runs the two one after the other. The lock is the PostgreSQL test's, below.
  it('two admins demoting each other at once: one succeeds, the other is refused', async () => {
    const t = await tenant();
    const one = await t.staff('SWAP1', 'admin');
    const two = await t.staff('SWAP2', 'admin');
    const answers = await Promise.all([put(one, 'SWAP2', 'officer'), put(two, 'SWAP1', 'officer')]);
    // The loser is refused by the rule (409), or — its token verified after the winner committed — as
    // the officer it has become (403): either way not both succeed.
    const statuses = answers.map((r) => r.status).sort();
    assert.equal(statuses[0], 200);
    assert.ok(statuses[1] === 403 || statuses[1] === 409, String(statuses[1]));
    const left = [await t.member('SWAP1'), await t.member('SWAP2')].filter((m) => m?.role === 'admin');
    assert.equal(left.length, 1, 'exactly one tenant-wide admin is left');
  });
});

/*
 * PostgreSQL, with two demotions forced to overlap: the test's own transaction demotes one of the last
 * two admins as the API does (`putStaffOverHttp`) and holds it uncommitted while the API is asked to
 * demote the other. The API's demotion must wait for it, then see it, and refuse. And a staff change
 * against an open book assignment, which must not deadlock with it.
 */
describe("Staff changes over HTTP against other transactions' row locks [postgres]", () => {
  const harness = postgresHarness();
  let db: Db;
  before(async () => {
    db = await harness.open();
  });
  after(() => harness.stopAll());

  for (const keys of [false, true])
    it(`the second waits for the first’s row locks, then sees it and is refused (${keys ? 'with' : 'no'} unowned admin key)`, async () => {
      const tenantId = `overlap-${keys}`;
      await provisionTenant(db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
      for (const id of ['A', 'B']) await upsertStaff(db.db, tenantId, { id, name: id, role: 'admin', scope: 'tenant' }, NOW.toISOString());
      // With an admin key the two queue on the key rows first; without one, on the staff rows.
      if (keys) await createApiKey(db.db, { tenantId, role: 'admin', label: 'integration', now: NOW });
      const tokenA = (await mintStaffToken(db.db, { tenantId, staffId: 'A', now: NOW })).token;
      const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined }));
      // Verified once, so the request below needs no read that could wait for the holder.
      assert.equal((await send({ app }, tokenA, 'GET', '/v1/staff/A')).status, 200);
      let second: Response | Promise<Response> | undefined;
      await db.db.transaction().execute(async (trx) => {
        const holder = await backendPid(trx);
        await putStaffOverHttp(trx, tenantId, { id: 'A', name: 'A', role: 'officer', scope: 'tenant' }, NOW.toISOString());
        // B's demotion, asked with A's token (still an admin's until the holder commits).
        second = send({ app }, tokenA, 'PUT', '/v1/staff/B', { name: 'B', role: 'officer', scope: 'tenant' });
        await blockedBy(db.db, holder);
      });
      assert.ok(second);
      assert.equal((await problem(await second, 409)).type, LAST_ADMIN);
      const left = await db.db.selectFrom('staff').select(['id', 'role']).where('tenant_id', '=', tenantId).orderBy('id').execute();
      assert.deepEqual(left, [
        { id: 'A', role: 'officer' },
        { id: 'B', role: 'admin' },
      ]);
    });

  // A book assignment checks its staff member exists (the `subject_managers` → `staff` foreign key),
  // which holds the member's row FOR KEY SHARE to the end of its transaction. A staff change locking the
  // admins and the member FOR UPDATE would queue behind it holding the admins' rows, and the assignment's
  // next customer, put in an admin's book, would then wait for it: a deadlock, which PostgreSQL ends by
  // aborting one (the PUT's 500). The lock a staff change takes (FOR NO KEY UPDATE) lets key shares be.
  it('a staff change meets book assignments to the member and to an admin in one open transaction without a deadlock', async () => {
    const tenantId = 'rename-vs-books';
    await provisionTenant(db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
    const at = NOW.toISOString();
    await upsertStaff(db.db, tenantId, { id: 'ADM', name: 'ADM', role: 'admin', scope: 'tenant' }, at);
    await upsertStaff(db.db, tenantId, { id: 'RM9', name: 'RM9', role: 'officer', scope: 'book' }, at);
    const customer = (id: string) => ({ id, externalId: id, kind: 'customer', displayName: '客户', attributes: {} });
    await insertSubjects(db.db, tenantId, [customer('S1'), customer('S2')], at);
    const admin = (await createApiKey(db.db, { tenantId, role: 'admin', label: 'integration', now: NOW })).secret;
    const errors: string[] = [];
    const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: (e) => errors.push(String(e)) }));
    // Verified once, so the request below needs no read that could wait for the holder.
    assert.equal((await send({ app }, admin, 'GET', '/v1/staff/RM9')).status, 200);
    let renamed: Promise<Response> | undefined;
    await db.db.transaction().execute(async (trx) => {
      const holder = await backendPid(trx);
      await assignManagers(trx, tenantId, [{ subjectId: 'S1', staffId: 'RM9' }], 'test', () => at);
      const asked = Promise.resolve(send({ app }, admin, 'PUT', '/v1/staff/RM9', { name: '王经理', role: 'officer', scope: 'book' }));
      renamed = asked;
      await answeredOrBlockedBy(db.db, holder, asked);
      await assignManagers(trx, tenantId, [{ subjectId: 'S2', staffId: 'ADM' }], 'test', () => at);
    });
    assert.ok(renamed);
    const res = await renamed;
    assert.equal(res.status, 200, errors.join('; '));
    const books = await db.db
      .selectFrom('subject_managers')
      .select(['subject_id', 'staff_id'])
      .where('tenant_id', '=', tenantId)
      .orderBy('subject_id')
      .execute();
    assert.deepEqual(books, [
      { subject_id: 'S1', staff_id: 'RM9' },
      { subject_id: 'S2', staff_id: 'ADM' },
    ]);
    const rm = await db.db.selectFrom('staff').select('name').where('tenant_id', '=', tenantId).where('id', '=', 'RM9').executeTakeFirst();
    assert.equal(rm?.name, '王经理');
  });
});
