import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * What a lead's grant is over (docs/permissions.md, the team lead column): the team's books, each the
 * book of an RM — not a list of customers. A customer put in a team RM's book is then the lead's to read
 * as much as the RM's, with no grant, as the RM's own reach grows with no grant: assigning customers is
 * the bank's daily book-keeping (an officer's, in bulk and by import too), kept as moves and audited.
 * What widens whose books a lead reads — naming them, adding a book — is the four-eyes grant. This pins
 * that design so a change to it is a decision, not an accident.
 */
forEachDialect('teams: a lead reads what is assigned into the team’s books, with no grant', (f) => {
  let t: FourEyesTenant;
  const token: Record<string, string> = {};
  const as = (id: string) => ({ credential: token[id] ?? '' });

  before(async () => {
    t = await fourEyesTenant(f, 'teams-assign', START);
    for (const id of ['LEAD', 'RM1', 'RM9']) {
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
      token[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    }
    // The team, its lead and its book by grant, as s35 made them.
    const g = await ok<{ id: string; contentHash: string }>(
      await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD' }),
      202,
    );
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }));
    const b = await ok<{ id: string; contentHash: string }>(await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['RM1'] }), 202);
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${b.id}/approve`, { contentHash: b.contentHash }));
    await ok(await t.req('officer', 'PUT', '/v1/subjects/N1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/N1/manager', { manager: 'RM9' }));
  });

  it('a customer outside the team is not the lead’s; assigned to the team’s RM, it is at once, and no grant waits', async () => {
    await problem(await t.req(as('LEAD'), 'GET', '/v1/subjects/N1/tiers'), 404, 'subject-not-found');
    await ok(await t.req('officer', 'PUT', '/v1/subjects/N1/manager', { manager: 'RM1' }));
    await ok(await t.req(as('LEAD'), 'GET', '/v1/subjects/N1/tiers'));
    await ok(await t.req(as('RM1'), 'GET', '/v1/subjects/N1/tiers'));
    const pending = await ok<{ items: unknown[] }>(await t.req('admin2', 'GET', '/v1/staff-grants'));
    assert.deepEqual(pending.items, []);
    // Moved out again, it is neither's.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/N1/manager', { manager: 'RM9' }));
    await problem(await t.req(as('LEAD'), 'GET', '/v1/subjects/N1/tiers'), 404, 'subject-not-found');
  });
});
