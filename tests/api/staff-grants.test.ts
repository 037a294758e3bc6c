import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, mintStaffToken, provisionTenant, type Role } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import type { KitError } from '@tierkit/admin';
import { whyFailed } from '../../apps/admin/src/why-failed.js';
import { forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';
import { testPack } from '../support/test-pack.js';

/*
 * Four eyes on staff powers (packages/api/README.md, "Staff and books"): a change that gives a staff
 * member power waits for a second admin — never its maker, never the member it promotes — and taking
 * power away stays immediate.
 */

interface Grant {
  id: string;
  status: string;
  contentHash: string;
  staff: { id: string; name: string; from: { role: string; scope: string; disabled: boolean } | null; to: { role: string; scope: string } };
  requestedBy: string;
  expiresAt: string;
  requestedByYou: boolean;
  mayWithdraw: boolean;
  mayDecide: boolean;
  approvalBlocked: string | null;
}
interface Item {
  kind: string;
  id: string;
  summary: string;
  requestedByYou: boolean;
  approvalNeeds: string;
  approvalBlocked: string | null;
  expiresAt: string | null;
  staff?: Grant['staff'];
}

const PROBLEM = 'https://tierkit.dev/problems/';

forEachDialect('Grants of staff power wait for a second admin', (f: ApiFixture) => {
  let tenants = 0;
  /** A tenant of its own on the fixture's app: staff made with the library (the bank's backend), a token each. */
  async function tenant(options: { unownedAdminKey?: boolean } = {}) {
    const id = `grants-${++tenants}`;
    await provisionTenant(f.db.db, { id, name: id, pack: testPack(), now: NOW });
    const t = {
      id,
      staff: async (staffId: string, role: Role, scope: 'tenant' | 'book' = 'tenant') => {
        await upsertStaff(f.db.db, id, { id: staffId, name: `${staffId} 名`, role, scope }, NOW.toISOString());
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
      send: (credential: string, method: string, path: string, body?: unknown) =>
        f.app.request(path, {
          method,
          headers: { Authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      put: (credential: string, staffId: string, role: string, scope = 'tenant') =>
        t.send(credential, 'PUT', `/v1/staff/${staffId}`, { name: `${staffId} 名`, role, scope }),
      queue: async (credential: string, locale = 'zh-CN') => {
        const res = await t.send(credential, 'GET', `/v1/approvals?kind=staff&limit=100&locale=${locale}`);
        assert.equal(res.status, 200);
        return ((await res.json()) as { items: Item[] }).items;
      },
    };
    if (options.unownedAdminKey) await t.key('admin');
    return t;
  }
  const json = async <T>(res: Response, status: number): Promise<T> => {
    const body = (await res.json()) as T;
    assert.equal(res.status, status, JSON.stringify(body));
    return body;
  };

  it('admin A promotes B: 202 pending, B unchanged; A (token or own key) and B may not approve; admin C approves and B holds it', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    const aKey = await t.key('admin', 'A');
    const b = await t.staff('B', 'officer');
    const c = await t.staff('C', 'admin');

    const grant = await json<Grant>(await t.put(a, 'B', 'admin'), 202);
    assert.equal(grant.status, 'pending');
    assert.deepEqual(grant.staff, {
      id: 'B',
      name: 'B 名',
      from: { role: 'officer', scope: 'tenant', disabled: false },
      to: { role: 'admin', scope: 'tenant' },
    });
    assert.equal(grant.requestedBy, 'staff:A');
    assert.deepEqual([grant.requestedByYou, grant.mayWithdraw, grant.mayDecide, grant.approvalBlocked], [true, true, false, null]);
    assert.equal(Date.parse(grant.expiresAt) - NOW.getTime(), 7 * 86_400_000);
    assert.deepEqual(await t.member('B'), { role: 'officer', scope: 'tenant' }, 'nothing changes until approved');

    // In the one approvals queue, for the other admin to decide; for A, theirs to wait on.
    const [item] = await t.queue(c);
    assert.equal(item?.kind, 'staff');
    assert.equal(item?.id, grant.id);
    assert.equal(item?.approvalNeeds, 'admin');
    assert.equal(item?.requestedByYou, false);
    assert.equal(item?.approvalBlocked, null);
    assert.equal(item?.expiresAt, grant.expiresAt);
    assert.deepEqual(item?.staff, grant.staff);
    assert.equal(item?.summary, '员工权限：B 名 (B) 经办（全行） → 管理员（全行）');
    assert.equal((await t.queue(c, 'en'))[0]?.summary, 'Staff powers: B 名 (B) officer (whole bank) → administrator (whole bank)');
    assert.equal((await t.queue(a))[0]?.requestedByYou, true);
    // A scheme- or subject-filtered queue is about customers: no grant in it.
    assert.equal(((await (await t.send(c, 'GET', '/v1/approvals?scheme=retail-tier')).json()) as { items: Item[] }).items.length, 0);

    for (const maker of [a, aKey]) {
      const p = await problem(await t.send(maker, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 403);
      assert.equal(p.type, `${PROBLEM}four-eyes`);
    }
    // B, an officer, reaches no decision at all.
    await problem(await t.send(b, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 403);
    // The other admin may not withdraw it: rejecting is theirs.
    await problem(await t.send(c, 'POST', `/v1/staff-grants/${grant.id}/withdraw`, {}), 403);
    // An approval names what it reviewed.
    const stale = await problem(
      await t.send(c, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: `sha256:${'0'.repeat(64)}` }),
      409,
    );
    assert.equal(stale.type, `${PROBLEM}content-changed`);
    assert.deepEqual(await t.member('B'), { role: 'officer', scope: 'tenant' });

    const approved = await json<Grant>(
      await t.send(c, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }),
      200,
    );
    assert.equal(approved.status, 'approved');
    assert.deepEqual(await t.member('B'), { role: 'admin', scope: 'tenant' });
    assert.equal((await t.queue(c)).length, 0);
    // Decided once.
    await problem(await t.send(c, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 409);

    // Audited: the PUT that changed nothing and the approval that did, with who, from and to.
    const records = (
      (await (await t.send(c, 'GET', `/v1/audit?target=B&limit=10`)).json()) as {
        items: { route: string; method: string; status: number; actor: string; detail: Record<string, unknown> }[];
      }
    ).items;
    const put = records.find((r) => r.route === '/v1/staff/{id}');
    assert.equal(put?.status, 202);
    assert.equal(put?.detail.grant, grant.id);
    assert.equal(put?.detail.pending, true);
    const decision = records.find((r) => r.route === '/v1/staff-grants/{id}/approve' && r.status === 200);
    assert.equal(decision?.actor, 'staff:C');
    assert.deepEqual(
      [decision?.detail.grant, decision?.detail.status, decision?.detail.to],
      [grant.id, 'approved', { role: 'admin', scope: 'tenant' }],
    );
  });

  it('taking power away is immediate: demote, narrow scope; a new officer within a book too', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    await t.staff('C', 'admin');
    await t.staff('B', 'approver');
    assert.equal((await t.put(a, 'B', 'officer')).status, 200);
    assert.deepEqual(await t.member('B'), { role: 'officer', scope: 'tenant' });
    assert.equal((await t.put(a, 'B', 'officer', 'book')).status, 200);
    assert.deepEqual(await t.member('B'), { role: 'officer', scope: 'book' });
    assert.equal((await t.put(a, 'RM1', 'officer', 'book')).status, 201);
    assert.deepEqual(await t.member('RM1'), { role: 'officer', scope: 'book' });
    // A book widened to the tenant, a new tenant-wide viewer, a new approver: each a grant.
    for (const [id, role, scope] of [
      ['B', 'officer', 'tenant'],
      ['V1', 'viewer', 'tenant'],
      ['AP1', 'approver', 'book'],
    ] as const) {
      const g = await json<Grant>(await t.put(a, id, role, scope), 202);
      assert.equal(g.status, 'pending', id);
    }
    assert.deepEqual(await t.member('B'), { role: 'officer', scope: 'book' });
    assert.equal(await t.member('V1'), undefined);
    // The last-admin guard stays: A cannot make themselves the tenant's last admin and demote C's way out.
    await t.put(a, 'C', 'viewer');
    const p = await problem(await t.put(a, 'A', 'approver'), 409);
    assert.equal(p.type, `${PROBLEM}last-admin-staff`);
  });

  it('B cannot approve their own promotion, even holding admin by the operator’s hand meanwhile', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    await t.staff('B', 'approver');
    const grant = await json<Grant>(await t.put(a, 'B', 'admin'), 202);
    // The operator's break-glass (tierkit staff role writes through the library) makes B an admin.
    await upsertStaff(f.db.db, t.id, { id: 'B', name: 'B 名', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const b = (await mintStaffToken(f.db.db, { tenantId: t.id, staffId: 'B', now: NOW })).token;
    const view = await json<Grant>(await t.send(b, 'GET', `/v1/staff-grants/${grant.id}`), 200);
    assert.equal(view.mayDecide, false);
    const p = await problem(await t.send(b, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 403);
    assert.equal(p.type, `${PROBLEM}four-eyes`);
    assert.match(p.detail ?? '', /gives you/);
    await problem(await t.send(b, 'POST', `/v1/staff-grants/${grant.id}/reject`, { contentHash: grant.contentHash, note: '不要' }), 403);
    // Not theirs to decide: their queue holds it not (only deciders and its maker see a grant waiting).
    assert.deepEqual(await t.queue(b), []);
  });

  it('one grant waits per member; the maker withdraws it; a demotion over HTTP supersedes it (audited), a rename does not; a lapsed one cannot be approved', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    const c = await t.staff('C', 'admin');
    await t.staff('B', 'analyst');
    const first = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    const again = await problem(await t.put(c, 'B', 'admin'), 409);
    assert.equal(again.type, `${PROBLEM}staff-grant-pending`);
    const withdrawn = await json<Grant>(await t.send(a, 'POST', `/v1/staff-grants/${first.id}/withdraw`, {}), 200);
    assert.equal(withdrawn.status, 'withdrawn');

    const second = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    // Demoted meanwhile (immediate, by another admin): the grant was asked against an analyst, so it is
    // superseded with the demotion — on its record and the demotion's audit record — and blocks nothing.
    const demoted = await t.send(c, 'PUT', '/v1/staff/B', { name: 'B 名', role: 'viewer', scope: 'tenant' });
    assert.equal(demoted.status, 200);
    const requestId = demoted.headers.get('X-Request-Id');
    const superseded = await json<Grant & { decidedBy: string; decisionNote: string }>(
      await t.send(c, 'GET', `/v1/staff-grants/${second.id}`),
      200,
    );
    assert.deepEqual([superseded.status, superseded.decidedBy], ['superseded', 'staff:C']);
    assert.match(superseded.decisionNote, /PUT \/v1\/staff\/B/);
    const audit = await json<{ items: { requestId: string; phase: string; detail: Record<string, unknown> }[] }>(
      await t.send(c, 'GET', '/v1/audit?limit=50'),
      200,
    );
    const record = audit.items.find((r) => r.requestId === requestId && r.phase === 'result');
    assert.equal(record?.detail.supersededGrant, second.id, JSON.stringify(record));
    const changed = await problem(
      await t.send(c, 'POST', `/v1/staff-grants/${second.id}/approve`, { contentHash: second.contentHash }),
      409,
    );
    assert.deepEqual(
      changed.errors?.map((e) => e.code),
      ['already_decided'],
    );
    assert.deepEqual(await t.member('B'), { role: 'viewer', scope: 'tenant' });
    // A rename applied at once leaves a waiting grant standing (it still holds what was asked against).
    const renamed = await json<Grant>(await t.put(a, 'B', 'analyst'), 202);
    assert.equal((await t.send(c, 'PUT', '/v1/staff/B', { name: 'B 新名', role: 'viewer', scope: 'tenant' })).status, 200);
    assert.equal((await json<Grant>(await t.send(c, 'GET', `/v1/staff-grants/${renamed.id}`), 200)).status, 'pending');
    await json<Grant>(await t.send(a, 'POST', `/v1/staff-grants/${renamed.id}/withdraw`, {}), 200);

    const third = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    await f.db.db.updateTable('staff_grants').set({ expires_at: NOW.toISOString() }).where('id', '=', third.id).execute();
    assert.equal((await t.queue(c)).length, 0, 'a lapsed grant leaves the queue');
    const lapsed = await problem(await t.send(c, 'POST', `/v1/staff-grants/${third.id}/approve`, { contentHash: third.contentHash }), 409);
    assert.match(lapsed.detail ?? '', /lapsed/);
    assert.deepEqual(await t.member('B'), { role: 'viewer', scope: 'tenant' });
    // Asked again, the lapsed one is settled as expired.
    const fourth = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    const all = await json<{ items: Grant[] }>(await t.send(c, 'GET', '/v1/staff-grants?status=all&staff=B'), 200);
    assert.deepEqual(
      all.items.map((g) => [g.id, g.status]),
      [
        [fourth.id, 'pending'],
        [third.id, 'expired'],
        [renamed.id, 'withdrawn'],
        [second.id, 'superseded'],
        [first.id, 'withdrawn'],
      ],
    );
  });

  it('a rename made at once while a grant waits is not undone by its approval', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    const c = await t.staff('C', 'admin');
    await t.staff('B', 'officer');
    const grant = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    const renamed = await t.send(c, 'PUT', '/v1/staff/B', { name: '周敏', role: 'officer', scope: 'tenant' });
    assert.equal(renamed.status, 200);
    await json<Grant>(await t.send(c, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 200);
    const b = await f.db.db
      .selectFrom('staff')
      .select(['name', 'role'])
      .where('tenant_id', '=', t.id)
      .where('id', '=', 'B')
      .executeTakeFirst();
    assert.deepEqual(b, { name: '周敏', role: 'approver' });
  });

  it('a second tenant’s admin neither sees nor decides a grant', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    await t.staff('B', 'officer');
    const grant = await json<Grant>(await t.put(a, 'B', 'admin'), 202);
    const other = await tenant();
    const x = await other.staff('X', 'admin');
    await problem(await other.send(x, 'GET', `/v1/staff-grants/${grant.id}`), 404);
    await problem(await other.send(x, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 404);
    await problem(await other.send(x, 'POST', `/v1/staff-grants/${grant.id}/reject`, { contentHash: grant.contentHash, note: 'x' }), 404);
    assert.equal((await other.queue(x)).length, 0);
    assert.equal((await json<{ items: Grant[] }>(await other.send(x, 'GET', '/v1/staff-grants'), 200)).items.length, 0);
    assert.deepEqual(await t.member('B'), { role: 'officer', scope: 'tenant' });
  });

  it('with no other admin the grant says no-other-admin; an unowned admin key counts as one who can decide, and does', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    await t.staff('B', 'officer');
    const grant = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    assert.equal(grant.approvalBlocked, 'no-other-admin');
    assert.equal((await t.queue(a))[0]?.approvalBlocked, 'no-other-admin');
    const ops = await t.key('admin');
    assert.equal((await t.queue(a))[0]?.approvalBlocked, null);
    await json<Grant>(await t.send(ops, 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }), 200);
    assert.deepEqual(await t.member('B'), { role: 'approver', scope: 'tenant' });
  });
  it('two admins deciding one grant at once: one decides, the other hears 409 already_decided, never a 500', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    await t.staff('B', 'officer');
    const c = await t.staff('C', 'admin');
    const d = await t.staff('D', 'admin');
    for (const [first, second] of [
      ['approve', 'reject'],
      ['reject', 'approve'],
      ['approve', 'approve'],
    ] as const) {
      await t.put(a, 'B', 'officer');
      const grant = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
      const answers = await Promise.all([
        t.send(c, 'POST', `/v1/staff-grants/${grant.id}/${first}`, { contentHash: grant.contentHash, note: 'checked' }),
        t.send(d, 'POST', `/v1/staff-grants/${grant.id}/${second}`, { contentHash: grant.contentHash, note: 'checked' }),
      ]);
      const statuses = answers.map((r) => r.status).sort();
      const bodies = await Promise.all(answers.map((r) => r.json() as Promise<KitError>));
      assert.deepEqual(statuses, [200, 409], JSON.stringify(bodies));
      const lost = bodies[answers.findIndex((r) => r.status === 409)];
      assert.deepEqual(
        lost?.errors?.map((e) => e.code),
        ['already_decided'],
      );
      assert.match(whyFailed(lost, 'zh-TW'), /^該授權已由其他管理員處理/);
      assert.match(whyFailed(lost, 'en'), /^Another admin already settled this grant/);
    }
  });
  it('a pending grant is in the queue of those who may decide it and of its maker only', async () => {
    const t = await tenant();
    const a = await t.staff('A', 'admin');
    const aKey = await t.key('admin', 'A');
    const b = await t.staff('B', 'officer');
    const c = await t.staff('C', 'admin');
    const viewer = await t.staff('V', 'viewer');
    const approver = await t.staff('P', 'approver');
    const viewerKey = await t.key('viewer');
    const grant = await json<Grant>(await t.put(a, 'B', 'approver'), 202);
    const ids = async (credential: string) => {
      const all = await json<{ items: Item[] }>(await t.send(credential, 'GET', '/v1/approvals?limit=100'), 200);
      return [...(await t.queue(credential)).map((i) => i.id), ...all.items.filter((i) => i.kind === 'staff').map((i) => i.id)];
    };
    for (const decider of [c, a, aKey]) assert.deepEqual(await ids(decider), [grant.id, grant.id]);
    // The member it promotes, and staff who may not decide a grant: none in their queue, nor a page of it
    // (a book-scoped admin reads no queue at all: 403).
    for (const other of [b, viewer, approver, viewerKey]) assert.deepEqual(await ids(other), []);
  });
});
