import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken, type Role } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Listed {
  id: string;
  subject: string;
  status: string;
  requestedBy: string;
  contentHash: string;
  decisionNote: string | null;
}
interface Page {
  items: Listed[];
  nextCursor: string | null;
}

/**
 * A relationship manager follows their own requests (packages/api/README.md, "Staff and books"):
 * `GET /v1/overrides` with a book-scoped credential lists the requests of the customers in their book
 * now — another book's never, not on a later page, not behind a scheme filter — and a customer moved
 * to another book takes their requests along.
 */
forEachDialect('the override list of a relationship manager’s book', (f) => {
  let t: FourEyesTenant;
  const rm: Record<string, string> = {};
  const as = (id: string) => ({ credential: rm[id] ?? '' });
  const staff = (id: string, role: Role, scope: 'tenant' | 'book') => t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role, scope });
  const customer = async (id: string, manager: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const request = (who: string, id: string) =>
    t.req(as(who), 'POST', `/v1/subjects/${id}/overrides`, {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });
  const list = async (who: string | 'officer', query = '') =>
    ok<Page>(await t.req(who === 'officer' ? 'officer' : as(who), 'GET', `/v1/overrides${query}`));
  const subjects = (p: Page) => p.items.map((o) => o.subject).sort();

  before(async () => {
    t = await fourEyesTenant(f, 'book-override-list', START);
    await ok(await staff('RM1', 'officer', 'book'), 201);
    await ok(await staff('RM2', 'officer', 'book'), 201);
    for (const id of ['RM1', 'RM2'])
      rm[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    await customer('L1', 'RM1');
    await customer('L2', 'RM1');
    await customer('L3', 'RM2');
    await ok(await request('RM1', 'L1'), 201);
    await ok(await request('RM1', 'L2'), 201);
    await ok(await request('RM2', 'L3'), 201);
  });

  it('lists its own book’s requests only; tenant-wide staff still list every book', async () => {
    assert.deepEqual(subjects(await list('RM1')), ['L1', 'L2']);
    assert.deepEqual(subjects(await list('RM2')), ['L3']);
    assert.deepEqual(subjects(await list('officer')), ['L1', 'L2', 'L3']);
  });

  it('pages and filters within the book: another book’s request is on no page, and decisions show their note', async () => {
    const first = await list('RM1', '?limit=1');
    assert.equal(first.items.length, 1);
    assert.ok(first.nextCursor);
    const second = await list('RM1', `?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
    assert.deepEqual([...subjects(first), ...subjects(second)].sort(), ['L1', 'L2']);
    assert.equal(second.nextCursor, null, 'L3 of the other book is not a third page');

    const [l1] = (await list('RM1')).items.filter((o) => o.subject === 'L1');
    assert.ok(l1);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${l1.id}/reject`, { note: '资料不全', contentHash: l1.contentHash }));
    const rejected = await list('RM1', '?status=rejected');
    assert.deepEqual(
      rejected.items.map((o) => [o.subject, o.status, o.decisionNote]),
      [['L1', 'rejected', '资料不全']],
    );
    assert.deepEqual((await list('RM2', '?status=rejected')).items, []);
  });

  it('a scheme filter stays within the book, and a made-up scheme is still a 400', async () => {
    assert.deepEqual((await list('RM2', '?scheme=retail-tier&status=rejected')).items, []);
    await problem(await t.req(as('RM2'), 'GET', '/v1/overrides?scheme=no-such-scheme'), 400);
  });

  it('a customer moved to another book takes their requests along', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/L2/manager', { manager: 'RM2' }));
    assert.deepEqual(subjects(await list('RM1')), ['L1']);
    assert.deepEqual(subjects(await list('RM2')), ['L2', 'L3']);
    // Out of every book, they are no RM's.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/L3/manager', { manager: null }));
    assert.deepEqual(subjects(await list('RM2')), ['L2']);
  });

  it('the approvals queue stays the tenant-wide staff’s', async () => {
    await problem(await t.req(as('RM1'), 'GET', '/v1/approvals'), 403);
  });
});
