import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { findKeyBySecret, mintStaffToken, revokeKey } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Filed {
  id: string;
  contentHash: string;
  approvalBlocked: string | null;
}
interface Item {
  id: string;
  kind: string;
  subject: string;
}
interface Distribution {
  levels: string[];
  series: { level: string; counts: number[] }[];
  totals: number[];
}

/*
 * A team lead who is an approver (docs/permissions.md, "Team lead approvers"): the first approver of
 * their RMs' override requests, within their reach only. Two teams, A and B, each an RM's book and a
 * lead of role approver, scope book; every credential as its user holds it (staff tokens).
 */
forEachDialect('a team lead who is an approver decides their team’s override requests', (f) => {
  let t: FourEyesTenant;
  const token: Record<string, string> = {};
  const as = (id: string) => ({ credential: token[id] ?? '' });
  const customer = async (id: string, manager: string, balance: number) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: balance }],
      }),
    );
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const granted = async (res: Response) => {
    const g = await ok<{ id: string; contentHash: string }>(res, 202);
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }));
  };
  const queue = async (who: string, query = '') =>
    (await ok<{ items: Item[] }>(await t.req(as(who), 'GET', `/v1/approvals?limit=100${query}`))).items.map(
      (i) => `${i.kind}:${i.subject}`,
    );

  before(async () => {
    t = await fourEyesTenant(f, 'lead-approver', START);
    for (const id of ['RMA', 'RMB'])
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
    // A book-scoped approver gives power: a grant another admin approves (staff-grants.ts, grantsPower).
    for (const id of ['LEADA', 'LEADB'])
      await granted(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'approver', scope: 'book' }));
    for (const [team, lead, book] of [
      ['TA', 'LEADA', 'RMA'],
      ['TB', 'LEADB', 'RMB'],
    ] as const) {
      await granted(await t.req('admin', 'PUT', `/v1/teams/${team}`, { name: team, lead }));
      await granted(await t.req('admin', 'POST', `/v1/teams/${team}/books`, { add: [book] }));
    }
    for (const id of ['RMA', 'RMB', 'LEADA', 'LEADB'])
      token[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    // One month's balance over a 3-month average (missing months zero): A1 ¥0 and A2 ¥20,000 are standard,
    // A3 ¥166,667 gold (≥ ¥50,000); team B two standard.
    await customer('A1', 'RMA', 0);
    await customer('A2', 'RMA', 60_000_00);
    await customer('A3', 'RMA', 500_000_00);
    await customer('B1', 'RMB', 0);
    await customer('B2', 'RMB', 0);
  });

  it('a book-scoped approver is made only by a grant a second admin approves', async () => {
    const res = await t.req('admin', 'PUT', '/v1/staff/LEADC', { name: 'LEADC', role: 'approver', scope: 'book' });
    assert.equal(res.status, 202, await res.text());
    const staff = await ok<{ items: { id: string }[] }>(await t.req('admin', 'GET', '/v1/staff'));
    assert.ok(!staff.items.some((s) => s.id === 'LEADC'), 'nothing changes before the grant is approved');
  });

  it('who else may approve counts the lead who reaches the customer, never one who does not', async () => {
    // No tenant-wide approver or admin key is left: only the leads can decide.
    for (const secret of [t.keys.approver, t.keys.approver2, t.keys.admin, t.keys.admin2]) {
      const key = await findKeyBySecret(f.db.db, secret);
      assert.ok(key);
      await revokeKey(f.db.db, key.id, START);
    }
    const byRm = await ok<Filed>(await requestOverride(t, 'A1', {}, as('RMA')), 201);
    assert.equal(byRm.approvalBlocked, null, 'LEADA reaches A1 and may approve it');
    // Filed by the lead: LEADB does not reach A2, RMA decides nothing, so nobody else may.
    const byLead = await ok<Filed>(await requestOverride(t, 'A2', {}, as('LEADA')), 201);
    assert.equal(byLead.approvalBlocked, 'no-other-approver');
  });

  it('the queue of a lead is exactly the requests in reach they may decide; a relationship manager has none', async () => {
    await ok(await requestOverride(t, 'B1', {}, as('RMB')), 201);
    assert.deepEqual(await queue('LEADA'), ['override:A1']);
    assert.deepEqual(await queue('LEADB'), ['override:B1']);
    assert.deepEqual(await queue('LEADA', '&mine=true'), ['override:A2']);
    assert.deepEqual(await queue('LEADA', '&kind=policy'), []);
    await problem(await t.req(as('RMA'), 'GET', '/v1/approvals'), 403, 'forbidden');
  });

  it('a lead decides in reach (not their own, not another team’s), and not once the customer moved out', async () => {
    const pending = async (subject: string) =>
      (await ok<{ items: Filed[] }>(await t.req('officer', 'GET', `/v1/subjects/${subject}/overrides`))).items[0] as Filed;
    const b1 = await pending('B1');
    await problem(await t.req(as('LEADA'), 'POST', `/v1/overrides/${b1.id}/approve`, { contentHash: b1.contentHash }), 404, 'not-found');
    const a2 = await pending('A2');
    await problem(await t.req(as('LEADA'), 'POST', `/v1/overrides/${a2.id}/approve`, { contentHash: a2.contentHash }), 403, 'four-eyes');
    const a1 = await pending('A1');
    // Moved to team B's book while it waits: no longer LEADA's to decide, and LEADB's now.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/A1/manager', { manager: 'RMB' }));
    await problem(await t.req(as('LEADA'), 'POST', `/v1/overrides/${a1.id}/approve`, { contentHash: a1.contentHash }), 404, 'not-found');
    assert.deepEqual(await queue('LEADA'), []);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/A1/manager', { manager: 'RMA' }));
    const approved = await ok<{ status: string }>(
      await t.req(as('LEADA'), 'POST', `/v1/overrides/${a1.id}/approve`, { contentHash: a1.contentHash }),
    );
    assert.equal(approved.status, 'approved');
    // Revoking stays with the bank's approvers.
    await problem(await t.req(as('LEADA'), 'POST', `/v1/overrides/${a1.id}/revoke`, { note: 'x' }), 403, 'forbidden');
    const b1Rejected = await ok<{ status: string }>(
      await t.req(as('LEADB'), 'POST', `/v1/overrides/${b1.id}/reject`, { contentHash: b1.contentHash, note: 'no' }),
    );
    assert.equal(b1Rejected.status, 'rejected');
  });

  it('analytics count only the customers in reach; the effect evaluation stays the bank’s', async () => {
    const count = async (who: string) => {
      const d = await ok<Distribution>(
        await t.req(as(who), 'GET', '/v1/analytics/distribution?scheme=retail-tier&from=2025-10&to=2025-10'),
      );
      return Object.fromEntries(d.series.filter((s) => (s.counts[0] ?? 0) > 0).map((s) => [s.level, s.counts[0]]));
    };
    // October, before the override approved above: A1 and A2 standard, A3 gold; the bank has 4 standard.
    assert.deepEqual(await count('LEADA'), { standard: 2, gold: 1 });
    assert.deepEqual(await count('LEADB'), { standard: 2 });
    assert.deepEqual(await count('RMB'), { standard: 2 });
    await problem(await t.req(as('LEADA'), 'GET', '/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=up'), 403, 'forbidden');
  });
});
