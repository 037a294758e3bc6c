import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MatrixResponse } from '@tierkit/core';
import { createApiKey, disableStaff, mintStaffToken } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { putStaffGranted, type Send } from '../support/granted-staff.js';

interface Page {
  items: { id: string }[];
  nextCursor: string | null;
}

const Q3 = ['2025-08', '2025-09', '2025-10'];

forEachDialect('staff members and their books', (f) => {
  const admin = client(f);
  const tokens: Record<string, string> = {};
  const as = (who: string) => client(f, () => tokens[who]);
  const ids = async (res: Response) => {
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as Page).items.map((s) => s.id);
  };

  it('staff are created, updated and listed by an admin; a viewer may list but not create', async () => {
    const created = await admin.put('/v1/staff/RM1', { name: '王经理', role: 'viewer', scope: 'book' });
    assert.equal(created.status, 201);
    assert.deepEqual(
      { ...((await created.json()) as object), createdAt: undefined, updatedAt: undefined },
      { id: 'RM1', name: '王经理', role: 'viewer', scope: 'book', createdAt: undefined, updatedAt: undefined, disabledAt: null },
    );
    assert.equal((await admin.put('/v1/staff/RM2', { name: '李经理', role: 'viewer', scope: 'book' })).status, 201);
    // A tenant-wide officer is a grant of power: a second admin approves it (tests/support/granted-staff.ts).
    const second = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'second admin', now: NOW })).secret;
    const send: Send = (credential, method, path, body) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal(await putStaffGranted(send, f.keys.a, second, 'OFF1', { name: '赵专员', role: 'officer' }), 202);
    const again = await admin.put('/v1/staff/RM1', { name: '王经理', role: 'officer', scope: 'book' });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { role: string }).role, 'officer');

    const first = (await (await admin.get('/v1/staff?limit=2')).json()) as Page;
    assert.deepEqual(
      first.items.map((s) => s.id),
      ['OFF1', 'RM1'],
    );
    assert.deepEqual(await ids(await admin.get(`/v1/staff?limit=2&cursor=${first.nextCursor}`)), ['RM2']);
    assert.deepEqual(await ids(await admin.get('/v1/staff?role=officer')), ['OFF1', 'RM1']);
    assert.equal((await admin.get('/v1/staff/NOPE')).status, 404);

    const viewer = client(f, () => f.keys.roles.viewer);
    assert.equal((await viewer.get('/v1/staff')).status, 200);
    assert.equal((await viewer.put('/v1/staff/X1', { name: 'x', role: 'admin' })).status, 403);
    for (const bad of [
      { name: '', role: 'viewer' },
      { name: 'x', role: 'boss' },
      { name: 'x', role: 'viewer', scope: 'branch' },
      { name: 'x' },
    ]) {
      const res = await admin.put('/v1/staff/X1', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.equal((await admin.get('/v1/staff/X1')).status, 404, 'a refused write changes nothing');
  });

  it('customers are put in books one by one or in bulk; a bad bulk entry is named and changes nothing', async () => {
    for (const [id, yuan, risk] of [
      ['B1', 400_000, 10],
      ['B2', 400_000, 90],
      ['B3', 10_000, 10],
      ['B4', 400_000, 10],
      ['B5', 400_000, 10],
    ] as const) {
      await admin.customer(id);
      const res = await admin.put(`/v1/subjects/${id}/metrics`, {
        metrics: [
          ...Q3.map((period) => ({ metric: 'avg_daily_balance', period, value: yuan * 100 })),
          { metric: 'aml_customer_risk', period: '2025-10', value: risk },
        ],
      });
      assert.equal(res.status, 200);
    }
    const bad = await admin.post('/v1/subject-managers', {
      assignments: [
        { subject: 'B1', manager: 'RM1' },
        { subject: 'NOPE', manager: 'RM1' },
        { subject: 'B2', manager: 'RM1' },
        { subject: 'B2', manager: 'RM2' },
      ],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      ((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path),
      ['assignments[1].subject', 'assignments[3].subject'],
    );
    const noStaff = await admin.post('/v1/subject-managers', { assignments: [{ subject: 'B1', manager: 'GHOST' }] });
    assert.equal(noStaff.status, 400);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?manager=RM1')), [], 'nothing was assigned');

    const bulk = await admin.post('/v1/subject-managers', {
      assignments: ['B1', 'B2', 'B3', 'B4'].map((subject) => ({ subject, manager: 'RM1' })),
    });
    assert.deepEqual(await bulk.json(), { assigned: 4 });
    // Reassignment moves B4 from RM1's book to RM2's.
    const one = await admin.put('/v1/subjects/B4/manager', { manager: 'RM2' });
    assert.deepEqual(await one.json(), { subject: 'B4', manager: 'RM2' });
    assert.equal((await admin.put('/v1/subjects/B5/manager', { manager: 'GHOST' })).status, 400);
    assert.equal((await admin.put('/v1/subjects/NOPE/manager', { manager: 'RM1' })).status, 404);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?manager=RM1')), ['B1', 'B2', 'B3']);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?manager=RM2')), ['B4']);
    assert.deepEqual(await (await admin.get('/v1/subjects/B4/manager')).json(), { subject: 'B4', manager: 'RM2' });
    assert.deepEqual(await (await admin.get('/v1/subjects/B5/manager')).json(), { subject: 'B5', manager: null });
    assert.equal((await admin.get('/v1/subjects?manager=me')).status, 400, 'an API key is nobody: it has no book');
    // A mistyped staff id is no one's book, not an empty one: the team lead is told, not shown "no customers".
    for (const path of ['/v1/subjects?manager=RM9', '/v1/matrix/risk-value-test?manager=RM9', '/v1/reviews/overdue?manager=RM9']) {
      const res = await admin.get(path);
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as { errors: { path: string; code: string; params: unknown }[] };
      assert.deepEqual(body.errors, [
        { path: 'query.manager', message: 'no staff member "RM9" in this tenant', code: 'unknown_staff', params: { staff: 'RM9' } },
      ]);
    }
  });

  it('a relationship manager’s token reads only their book: lists, reads and matrix counts', async () => {
    tokens.RM1 = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RM1', now: NOW })).token;
    const rm = as('RM1');
    assert.deepEqual(await ids(await rm.get('/v1/subjects')), ['B1', 'B2', 'B3'], 'the book by default');
    assert.deepEqual(await ids(await rm.get('/v1/subjects?manager=me')), ['B1', 'B2', 'B3']);
    const page = (await (await rm.get('/v1/subjects?limit=2')).json()) as Page;
    assert.deepEqual(await ids(await rm.get(`/v1/subjects?limit=2&cursor=${page.nextCursor}`)), ['B3'], 'paged through the whole book');
    assert.equal((await rm.get('/v1/subjects?manager=RM2')).status, 403, 'another book');
    assert.equal((await rm.get('/v1/subjects?manager=RM9')).status, 403, 'any book but their own is refused, whoever it names');
    assert.deepEqual(await ids(await rm.get('/v1/subjects?scheme=retail-tier&level=platinum')), ['B1', 'B2']);

    assert.equal((await rm.get('/v1/subjects/B1/tiers')).status, 200);
    assert.deepEqual(await (await rm.get('/v1/subjects/B1/manager')).json(), { subject: 'B1', manager: 'RM1' });
    assert.equal((await rm.get('/v1/subjects/B4/manager')).status, 404, 'whose book B4 is in is not RM1’s to know');
    assert.equal((await rm.get('/v1/subjects/B1/history')).status, 200);
    for (const path of ['/v1/subjects/B4/tiers', '/v1/subjects/B4/history', '/v1/subjects/B5/entitlements']) {
      const res = await rm.get(path);
      assert.equal(res.status, 404, `${path}: out of the book reads as no such subject`);
      assert.equal(((await res.json()) as { type: string }).type, 'https://tierkit.dev/problems/subject-not-found');
    }
    const book = (await (await rm.get('/v1/matrix/risk-value-test')).json()) as MatrixResponse;
    assert.equal(book.total, 3);
    assert.equal(book.counts.find((c) => c.row === 'high' && c.col === 'platinum')?.count, 1);
    const whole = (await (await admin.get('/v1/matrix/risk-value-test')).json()) as MatrixResponse;
    assert.equal(whole.total, 5, 'the bank sees the whole tenant: the book’s cut is not shared with it');
    assert.equal(((await (await admin.get('/v1/matrix/risk-value-test?manager=RM2')).json()) as MatrixResponse).total, 1);

    // RM1 is an officer, yet book-scoped: writes beyond the book are refused, and metrics even within it
    // (they come from the bank's core systems: tests/api/rm-book-limits.test.ts).
    assert.equal((await rm.put('/v1/subjects/B1/manager', { manager: 'RM1' })).status, 403);
    assert.equal((await rm.post('/v1/subject-managers', { assignments: [{ subject: 'B4', manager: 'RM1' }] })).status, 403);
    assert.equal((await rm.put('/v1/subjects/B9', { kind: 'customer', displayName: '新客户' })).status, 403);
    assert.equal((await rm.put('/v1/staff/RM1', { name: 'x', role: 'admin' })).status, 403);
    const metric = { metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }] };
    assert.equal((await rm.put('/v1/subjects/B1/metrics', metric)).status, 403);
    assert.equal((await rm.put('/v1/subjects/B4/metrics', metric)).status, 403);
  });

  it('the session names the staff member, their book and what the access table lets them do', async () => {
    const session = (await (await as('RM1').get('/v1/session')).json()) as Record<string, unknown>;
    assert.equal(session.actor, 'staff:RM1');
    assert.equal(session.book, 'RM1');
    assert.equal(session.role, 'officer');
    assert.equal(session.timeZone, 'Asia/Shanghai', "the bank's calendar, for the console's times");
    assert.equal((session.staff as { name: string }).name, '王经理');
    assert.deepEqual(session.can, { readSubjects: true, writeSubjects: false, assignManagers: false, manageStaff: false });

    tokens.OFF1 = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'OFF1', now: NOW })).token;
    const officer = (await (await as('OFF1').get('/v1/session')).json()) as Record<string, unknown>;
    assert.equal(officer.book, null);
    assert.deepEqual(officer.can, { readSubjects: true, writeSubjects: true, assignManagers: true, manageStaff: false });
    assert.deepEqual(await ids(await as('OFF1').get('/v1/subjects?manager=RM2')), ['B4'], 'tenant-wide staff may open any book');
    assert.deepEqual(await ids(await as('OFF1').get('/v1/subjects?manager=me')), [], 'their own book is empty');

    const key = (await (await admin.get('/v1/session')).json()) as Record<string, unknown>;
    assert.equal(key.staff, null);
    assert.equal(key.via, 'key');
    assert.deepEqual(key.can, { readSubjects: true, writeSubjects: true, assignManagers: true, manageStaff: true });
  });

  it('a role change applies to tokens already out; a token of another tenant’s staff is refused', async () => {
    assert.equal((await admin.put('/v1/staff/RM1', { name: '王经理', role: 'viewer', scope: 'book' })).status, 200);
    const metric = { metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }] };
    assert.equal((await as('RM1').put('/v1/subjects/B1/metrics', metric)).status, 403, 'a viewer now');
    await assert.rejects(mintStaffToken(f.db.db, { tenantId: 'bank-b', staffId: 'RM1', now: NOW }), /no staff member/);

    const other = client(f, 'b');
    assert.equal((await other.put('/v1/subjects/B1/manager', { manager: 'RM1' })).status, 404, 'B1 is not bank-b’s');
    await other.customer('X1');
    const cross = await other.put('/v1/subjects/X1/manager', { manager: 'RM1' });
    assert.equal(cross.status, 400, 'RM1 is bank-a’s staff');
    assert.equal((await other.get('/v1/subjects?manager=RM1')).status, 400, 'bank-a’s RM1 is no staff member of bank-b');
    assert.deepEqual(await ids(await as('RM1').get('/v1/subjects')), ['B1', 'B2', 'B3'], 'X1 never entered a bank-a book');
  });

  it('a disabled member’s book takes no customers, one by one or in bulk; an admin still finds and moves theirs', async () => {
    await admin.put('/v1/staff/RM3', { name: '离职', role: 'officer', scope: 'book' });
    assert.deepEqual(await (await admin.put('/v1/subjects/B5/manager', { manager: 'RM3' })).json(), { subject: 'B5', manager: 'RM3' });
    await disableStaff(f.db.db, 'bank-a', 'RM3', NOW);
    const disabled = {
      message: 'staff member "RM3" is disabled: their book takes no customers',
      code: 'unknown_staff',
      params: { staff: 'RM3' },
    };
    const one = await admin.put('/v1/subjects/B4/manager', { manager: 'RM3' });
    assert.equal(one.status, 400);
    assert.deepEqual(((await one.json()) as { errors: unknown[] }).errors, [{ path: 'manager', ...disabled }]);
    const bulk = await admin.post('/v1/subject-managers', { assignments: [{ subject: 'B4', manager: 'RM3' }] });
    assert.equal(bulk.status, 400);
    assert.deepEqual(((await bulk.json()) as { errors: unknown[] }).errors, [{ path: 'assignments[0].manager', ...disabled }]);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?manager=RM2')), ['B4'], 'nothing moved');
    // Their customers are found and moved on.
    assert.deepEqual(await ids(await admin.get('/v1/subjects?manager=RM3')), ['B5']);
    assert.deepEqual(await (await admin.put('/v1/subjects/B5/manager', { manager: null })).json(), { subject: 'B5', manager: null });
  });

  it('search by id prefix and either order page through the whole result', async () => {
    assert.deepEqual(await ids(await admin.get('/v1/subjects?q=B')), ['B1', 'B2', 'B3', 'B4', 'B5']);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?q=b')), [], 'case-sensitive on both dialects');
    assert.deepEqual(await ids(await admin.get('/v1/subjects?q=B%25')), [], 'no wildcard');
    const down = (await (await admin.get('/v1/subjects?q=B&order=desc&limit=3')).json()) as Page;
    assert.deepEqual(
      down.items.map((s) => s.id),
      ['B5', 'B4', 'B3'],
    );
    assert.deepEqual(await ids(await admin.get(`/v1/subjects?q=B&order=desc&limit=3&cursor=${down.nextCursor}`)), ['B2', 'B1']);
    assert.equal((await admin.get(`/v1/subjects?q=B&limit=3&cursor=${down.nextCursor}`)).status, 400, 'a cursor keeps its order');
    assert.deepEqual(await ids(await as('RM1').get('/v1/subjects?order=desc')), ['B3', 'B2', 'B1']);
  });
});
