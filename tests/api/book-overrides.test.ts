import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken, type Role } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  status: string;
  contentHash: string;
  requestedBy: string;
  decidedBy: string | null;
}
interface WithDecisions extends Override {
  decisions: { action: string; actor: string; note: string | null }[];
}

/**
 * Override requests belong to their customer's book (packages/api/README.md, "Four eyes"): the
 * relationship manager holding the book reads them with every decision, and when a customer moves to
 * another book the new RM may take back what the old one left pending, while the old one loses it.
 */
forEachDialect('override requests in relationship managers’ books', (f) => {
  let t: FourEyesTenant;
  const rm: Record<string, string> = {};
  const as = (credential: string) => ({ credential });
  const staff = (id: string, role: Role, scope: 'tenant' | 'book') => t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role, scope });
  const customer = async (id: string, manager: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const request = (who: Parameters<FourEyesTenant['req']>[0], id: string, level = 'gold') =>
    t.req(who, 'POST', `/v1/subjects/${id}/overrides`, {
      scheme: 'retail-tier',
      level,
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });

  before(async () => {
    t = await fourEyesTenant(f, 'book-overrides', START);
    await ok(await staff('RM1', 'officer', 'book'), 201);
    await ok(await staff('RM2', 'officer', 'book'), 201);
    for (const id of ['RM1', 'RM2'])
      rm[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
  });

  it('the RM whose book holds the customer reads a request and its decisions; another book, a customer’s token and another tenant do not', async () => {
    await customer('K1', 'RM1');
    const pending = await ok<Override>(await request(as(rm.RM1 ?? ''), 'K1'), 201);
    await ok(await t.req(as(rm.RM1 ?? ''), 'PATCH', `/v1/overrides/${pending.id}`, { level: 'diamond' }));

    const read = await ok<WithDecisions>(await t.req(as(rm.RM1 ?? ''), 'GET', `/v1/overrides/${pending.id}`));
    assert.equal(read.id, pending.id);
    assert.deepEqual(
      read.decisions.map((d) => [d.action, d.actor]),
      [
        ['requested', 'staff:RM1'],
        ['edited', 'staff:RM1'],
      ],
    );

    // Another book's RM learns nothing: the same answer as for an id nobody has.
    const outside = await t.req(as(rm.RM2 ?? ''), 'GET', `/v1/overrides/${pending.id}`);
    const none = await t.req(as(rm.RM2 ?? ''), 'GET', '/v1/overrides/ovr_nosuchrequest');
    const [a, b] = [(await outside.json()) as { type: string; detail: string }, (await none.json()) as { type: string; detail: string }];
    assert.deepEqual([outside.status, a.type], [404, 'https://tierkit.dev/problems/not-found']);
    assert.deepEqual([none.status, b.type], [404, a.type]);
    assert.equal(a.detail.replace(pending.id, 'X'), b.detail.replace('ovr_nosuchrequest', 'X'));

    // A customer's own token never reads staff matters, not even about themselves.
    await problem(await t.req(as(await t.embedToken('K1')), 'GET', `/v1/overrides/${pending.id}`), 403, 'forbidden');
    // Nor another tenant's staff, whoever they are.
    const other = await fourEyesTenant(f, 'book-overrides-other', START);
    await problem(await other.req('admin', 'GET', `/v1/overrides/${pending.id}`), 404, 'not-found');
    // The tenant-wide list stays tenant-wide: an RM reads their book's requests per customer.
    await problem(await t.req(as(rm.RM1 ?? ''), 'GET', '/v1/overrides'), 403, 'forbidden');
  });
});
