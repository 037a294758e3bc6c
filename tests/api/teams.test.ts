import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, disableStaff, mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Team {
  id: string;
  name: string;
  lead: string | null;
  books: string[];
}
interface BookRow {
  manager: string | null;
  name: string | null;
  counts: { level: string; count: number }[];
  total: number;
  up: number;
  down: number;
  entered: number;
}
interface BookLevels {
  period: string;
  from: string;
  to: string;
  books: BookRow[];
}
interface Problem {
  errors?: { path: string; code?: string }[];
}

/**
 * A branch team lead between one book and the whole bank (packages/api/README.md, "Teams"): a team
 * of RMs' books that a tenant-wide admin defines, which its lead reads besides their own — and nothing
 * a book-scoped credential may not do. Each credential as its user holds it: the lead's and the RMs'
 * staff tokens, an admin key, a customer's embed token, another tenant's admin.
 */
forEachDialect('teams: a lead reads their team’s books', (f) => {
  let t: FourEyesTenant;
  let other: FourEyesTenant;
  const token: Record<string, string> = {};
  const as = (id: string) => ({ credential: token[id] ?? '' });
  const balance = (id: string, value: number) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value }] });
  const customer = async (id: string, manager: string, value = 0) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await balance(id, value));
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const ids = async (who: string, query = '') =>
    (await ok<{ items: { id: string }[] }>(await t.req(as(who), 'GET', `/v1/subjects?limit=100${query}`))).items.map((s) => s.id).sort();

  /** A grant filed (202), approved by the second admin. */
  const approved = async (res: Response) => {
    const g = await ok<{ id: string; contentHash: string }>(res, 202);
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }));
  };

  before(async () => {
    t = await fourEyesTenant(f, 'teams-a', START);
    other = await fourEyesTenant(f, 'teams-b', START);
    for (const id of ['LEAD', 'RM1', 'RM2', 'RM3']) {
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
      token[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    }
    await customer('L1', 'LEAD');
    await customer('A1', 'RM1');
    await customer('A2', 'RM1', 500_000_00);
    await customer('B1', 'RM2');
    await customer('C1', 'RM3');
  });

  it('before any team, a lead reads their own book only', async () => {
    assert.deepEqual(await ids('LEAD'), ['L1']);
    await problem(await t.req(as('LEAD'), 'GET', '/v1/subjects/A1/tiers'), 404, 'subject-not-found');
  });

  it('only a tenant-wide admin defines a team; an RM, the lead and another tenant may not, and bad input changes nothing', async () => {
    await problem(await t.req(as('LEAD'), 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD' }), 403, 'forbidden');
    await problem(await t.req('approver', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD' }), 403, 'forbidden');
    // A lead must be a book-scoped member of this tenant.
    const unknown = await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'NOBODY' });
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as Problem).errors?.[0]?.code, 'unknown_staff');
    await problem(await t.req('admin', 'GET', '/v1/teams/T1'), 404, 'not-found');
    // Someone who left is no lead: a role given back to them later would bring the team's reach back unseen.
    await ok(await t.req('admin', 'PUT', '/v1/staff/GONE', { name: 'GONE', role: 'officer', scope: 'book' }), 201);
    await disableStaff(f.db.db, t.tenantId, 'GONE', new Date(START));
    const gone = await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'GONE' });
    assert.equal(gone.status, 400);
    assert.deepEqual(
      ((await gone.json()) as Problem).errors?.map((e) => [e.path, e.code]),
      [['lead', 'unknown_staff']],
    );
    await problem(await t.req('admin', 'GET', '/v1/teams/T1'), 404, 'not-found');

    // Naming a lead widens their reach: a second admin approves it (four eyes on teams, team-grants.test.ts).
    await approved(await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD' }));
    const made = await ok<Team>(await t.req('admin', 'GET', '/v1/teams/T1'));
    assert.deepEqual([made.lead, made.books], ['LEAD', []]);
    const books = await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['RM1', 'GHOST'] });
    assert.equal(books.status, 400);
    assert.equal(((await books.json()) as Problem).errors?.[0]?.code, 'unknown_staff');
    assert.deepEqual((await ok<Team>(await t.req('admin', 'GET', '/v1/teams/T1'))).books, [], 'nothing added');
    await problem(await t.req(as('LEAD'), 'POST', '/v1/teams/T1/books', { add: ['RM1'] }), 403, 'forbidden');
    await approved(await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['RM1', 'RM2'] }));
    const renamed = await ok<Team>(await t.req('admin', 'PUT', '/v1/teams/T1', { name: '浦东一组' }));
    assert.deepEqual([renamed.name, renamed.lead, renamed.books], ['浦东一组', 'LEAD', ['RM1', 'RM2']]);

    // Another tenant neither sees it nor names this tenant's staff.
    await problem(await other.req('admin', 'GET', '/v1/teams/T1'), 404, 'not-found');
    assert.deepEqual((await ok<{ items: Team[] }>(await other.req('admin', 'GET', '/v1/teams'))).items, []);
    const foreign = await other.req('admin', 'PUT', '/v1/teams/T1', { name: 'x', lead: 'LEAD' });
    assert.equal(foreign.status, 400);

    // Every change is in the trail with what the team became.
    const trail = await ok<{ items: { route: string; status: number | null; detail?: { team?: unknown } }[] }>(
      await t.req('admin', 'GET', '/v1/audit?limit=100'),
    );
    const added = trail.items.find((r) => r.route === '/v1/staff-grants/{id}/approve' && r.status === 200 && r.detail?.team);
    assert.deepEqual(added?.detail?.team, { id: 'T1', from: { lead: 'LEAD' }, to: { add: ['RM1', 'RM2'] } });
  });

  it('the lead reads the team’s books and their own, not a book outside it; an RM still reads only theirs', async () => {
    assert.deepEqual(await ids('LEAD'), ['A1', 'A2', 'B1', 'L1']);
    await ok(await t.req(as('LEAD'), 'GET', '/v1/subjects/A1/tiers'));
    await problem(await t.req(as('LEAD'), 'GET', '/v1/subjects/C1/tiers'), 404, 'subject-not-found');
    assert.deepEqual(await ids('LEAD', '&manager=RM2'), ['B1']);
    await problem(await t.req(as('LEAD'), 'GET', '/v1/subjects?manager=RM3'), 403, 'forbidden');
    assert.deepEqual(await ids('RM1'), ['A1', 'A2']);
    await problem(await t.req(as('RM1'), 'GET', '/v1/subjects/B1/tiers'), 404, 'subject-not-found');
    // The key the lead owns (a script of theirs) reads as their token does: its reach is resolved from the same teams.
    const key = {
      credential: (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'officer', label: 'LEAD', staffId: 'LEAD', now: START }))
        .secret,
    };
    assert.deepEqual(
      (await ok<{ items: { id: string }[] }>(await t.req(key, 'GET', '/v1/subjects?limit=100'))).items.map((s) => s.id).sort(),
      ['A1', 'A2', 'B1', 'L1'],
    );
    await problem(await t.req(key, 'GET', '/v1/subjects/C1/tiers'), 404, 'subject-not-found');
    const session = await ok<{ book: string; books: string[] }>(await t.req(as('LEAD'), 'GET', '/v1/session'));
    assert.deepEqual([session.book, session.books], ['LEAD', ['LEAD', 'RM1', 'RM2']]);
    // The matrix counts the team's customers, not the bank's.
    const matrix = await ok<{ total: number }>(await t.req(as('LEAD'), 'GET', '/v1/matrix/risk-value-test'));
    const whole = await ok<{ total: number }>(await t.req('viewer', 'GET', '/v1/matrix/risk-value-test'));
    assert.ok(matrix.total < whole.total || whole.total === 0, `${matrix.total} of ${whole.total}`);
  });

  it('what an RM may not do, a lead may not do either, even in the team’s books', async () => {
    const metrics = await balance('A1', 1);
    assert.equal(metrics.status, 200, 'the officer key may');
    const refused = await t.req(as('LEAD'), 'PUT', '/v1/subjects/A1/metrics', {
      metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }],
    });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as Problem).errors?.[0]?.code, 'metrics_not_by_book_staff');
    await problem(await t.req(as('LEAD'), 'PUT', '/v1/subjects/A1/manager', { manager: 'LEAD' }), 403, 'forbidden');
    // The team's distribution is theirs (team-lead-approver.test.ts); the effect evaluation's cohorts are the bank's.
    await problem(await t.req(as('LEAD'), 'GET', '/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=up'), 403, 'forbidden');
  });

  it('counts per book: customers at each level now and this month’s moves, for the books the credential reads', async () => {
    // A1 rises this month (every first level was given this month too): one move up in RM1's book.
    await ok(await balance('A1', 500_000_00));
    const lead = await ok<BookLevels>(await t.req(as('LEAD'), 'GET', '/v1/books/levels?scheme=retail-tier'));
    assert.equal(lead.period, '2025-11');
    assert.deepEqual(
      lead.books.map((b) => [b.manager, b.total]),
      [
        ['LEAD', 1],
        ['RM1', 2],
        ['RM2', 1],
      ],
    );
    const rm1 = lead.books.find((b) => b.manager === 'RM1');
    assert.equal(rm1?.up, 1, JSON.stringify(rm1));
    assert.equal(rm1?.entered, 2);
    assert.equal(lead.books.find((b) => b.manager === 'RM2')?.up, 0);
    const own = await ok<BookLevels>(await t.req(as('RM2'), 'GET', '/v1/books/levels?scheme=retail-tier'));
    assert.deepEqual(
      own.books.map((b) => b.manager),
      ['RM2'],
    );
    const bank = await ok<BookLevels>(await t.req('viewer', 'GET', '/v1/books/levels?scheme=retail-tier'));
    assert.deepEqual(
      bank.books.map((b) => b.manager),
      ['LEAD', 'RM1', 'RM2', 'RM3'],
    );
    const team = await ok<BookLevels>(await t.req('viewer', 'GET', '/v1/books/levels?scheme=retail-tier&team=T1'));
    assert.deepEqual(
      team.books.map((b) => b.manager),
      ['RM1', 'RM2'],
    );
    const bad = await t.req(as('LEAD'), 'GET', '/v1/books/levels?scheme=nope');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Problem).errors?.[0]?.code, 'unknown_scheme');
    await problem(await t.req(as('RM1'), 'GET', '/v1/books/levels?scheme=retail-tier&manager=RM2'), 403, 'forbidden');
    await problem(await t.req({ credential: await t.embedToken('A1') }, 'GET', '/v1/books/levels?scheme=retail-tier'), 403, 'forbidden');
  });

  it('a book taken out of the team leaves the lead’s reach at once', async () => {
    await ok(await t.req('admin', 'POST', '/v1/teams/T1/books', { remove: ['RM2'] }));
    assert.deepEqual(await ids('LEAD'), ['A1', 'A2', 'L1']);
    await problem(await t.req(as('LEAD'), 'GET', '/v1/subjects/B1/tiers'), 404, 'subject-not-found');
    await ok(await t.req('admin', 'PUT', '/v1/teams/T1', { name: '浦东一组', lead: null }));
    assert.deepEqual(await ids('LEAD'), ['L1']);
  });
});
