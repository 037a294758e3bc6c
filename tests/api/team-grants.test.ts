import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken, provisionTenant } from '@tierkit/api';
import { createApiKey } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { forEachDialect, NOW } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { testPack } from '../support/test-pack.js';

interface Team {
  id: string;
  name: string;
  lead: string | null;
  books: string[];
}
interface Grant {
  id: string;
  status: string;
  contentHash: string;
  staff: { id: string };
  team: { id: string; from: { lead: string | null } | null; to: { name: string; lead: string } | { add: string[] } } | null;
  requestedByYou: boolean;
  mayDecide: boolean;
  approvalBlocked: string | null;
}
interface Item {
  kind: string;
  id: string;
  summary: string;
  team?: Grant['team'];
}
interface Problem {
  errors?: { code?: string }[];
}
interface AuditRow {
  route: string;
  status: number | null;
  detail?: Record<string, unknown>;
}

/*
 * Four eyes on teams (packages/api/README.md, "Teams"): what widens a lead's reach over customers —
 * a lead named, books added to a led team — waits for a second tenant-wide admin as a grant of staff
 * powers does; what narrows it applies at once and supersedes the grant it contradicts. As the admins
 * use it: two unowned admin keys (two people), the lead's and the RMs' staff tokens.
 */
forEachDialect('teams: widening a lead’s reach waits for a second admin', (f) => {
  let t: FourEyesTenant;
  const token: Record<string, string> = {};
  const as = (id: string) => ({ credential: token[id] ?? '' });
  const ids = async (who: string) =>
    (await ok<{ items: { id: string }[] }>(await t.req(as(who), 'GET', '/v1/subjects?limit=100'))).items.map((s) => s.id).sort();
  const team = (id: string) => t.req('admin', 'GET', `/v1/teams/${id}`);
  const decide = (who: 'admin' | 'admin2', g: Grant, verb: 'approve' | 'reject') =>
    t.req(who, 'POST', `/v1/staff-grants/${g.id}/${verb}`, { contentHash: g.contentHash, note: 'checked' });
  const grant = async (id: string) => ok<Grant>(await t.req('admin2', 'GET', `/v1/staff-grants/${id}`));
  const trail = async () => (await ok<{ items: AuditRow[] }>(await t.req('admin', 'GET', '/v1/audit?limit=100'))).items;

  before(async () => {
    t = await fourEyesTenant(f, 'team-grants', START);
    for (const id of ['LEAD', 'LEAD2', 'RM1', 'RM2']) {
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: `${id} 名`, role: 'officer', scope: 'book' }), 201);
      token[id] = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    }
    for (const [id, manager] of [
      ['L1', 'LEAD'],
      ['A1', 'RM1'],
      ['B1', 'RM2'],
    ]) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
    }
  });

  it('a new team with a lead: 202, nothing made; its maker may not approve it; another admin does, and the lead reads its books', async () => {
    const g = await ok<Grant>(await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD' }), 202);
    assert.equal(g.status, 'pending');
    assert.deepEqual(g.team, { id: 'T1', from: null, to: { name: '一组', lead: 'LEAD' } });
    assert.equal(g.staff.id, 'LEAD', 'the lead is the member whose reach widens');
    assert.deepEqual([g.requestedByYou, g.mayDecide, g.approvalBlocked], [true, false, null]);
    await problem(await team('T1'), 404, 'not-found');
    // A second change of the team while one waits is refused, and changes nothing.
    await problem(await t.req('admin2', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD2' }), 409, 'staff-grant-pending');

    // The approvals queue's staff kind, in the admins' words.
    const queue = async (locale: string) =>
      (await ok<{ items: Item[] }>(await t.req('admin2', 'GET', `/v1/approvals?kind=staff&locale=${locale}`))).items;
    const [item] = await queue('zh-CN');
    assert.equal(item?.id, g.id);
    assert.deepEqual(item?.team, g.team);
    assert.equal(item?.summary, '团队：一组 (T1) 负责人 无 → LEAD 名 (LEAD)');
    assert.equal((await queue('zh-TW'))[0]?.summary, '團隊：一组 (T1) 負責人 無 → LEAD 名 (LEAD)');
    assert.equal((await queue('en'))[0]?.summary, 'Team: 一组 (T1) lead none → LEAD 名 (LEAD)');

    await problem(await decide('admin', g, 'approve'), 403, 'four-eyes');
    await problem(await t.req(as('LEAD'), 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }), 403, 'forbidden');
    await problem(await team('T1'), 404, 'not-found');
    assert.equal((await ok<Grant>(await decide('admin2', g, 'approve'))).status, 'approved');
    const made = await ok<Team>(await team('T1'));
    assert.deepEqual([made.name, made.lead, made.books], ['一组', 'LEAD', []]);
    // A second decision is refused, whoever makes it.
    const again = await decide('admin2', g, 'reject');
    assert.equal(again.status, 409);
    assert.deepEqual(
      ((await again.json()) as Problem).errors?.map((e) => e.code),
      ['already_decided'],
    );

    const rows = await trail();
    const filed = rows.find((r) => r.route === '/v1/teams/{id}' && r.status === 202);
    assert.equal(filed?.detail?.grant, g.id);
    assert.equal(filed?.detail?.pending, true);
    const approved = rows.find((r) => r.route === '/v1/staff-grants/{id}/approve' && r.status === 200);
    assert.deepEqual(approved?.detail?.team, g.team);
  });

  it('books added to a led team wait; a team without a lead takes them at once; a rejection adds nothing', async () => {
    const g = await ok<Grant>(await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['RM1', 'RM2'] }), 202);
    assert.deepEqual(g.team, { id: 'T1', from: { lead: 'LEAD' }, to: { add: ['RM1', 'RM2'] } });
    assert.deepEqual((await ok<Team>(await team('T1'))).books, []);
    assert.deepEqual(await ids('LEAD'), ['L1'], 'the lead reads nothing new yet');
    assert.equal(
      (await ok<{ items: Item[] }>(await t.req('admin2', 'GET', '/v1/approvals?kind=staff&locale=zh-CN'))).items[0]?.summary,
      '团队：T1 负责人 LEAD 名 (LEAD) 增加名下客户 RM1、RM2',
    );
    // Unknown books are a 400 before anything is filed.
    const bad = await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['GHOST'] });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Problem).errors?.[0]?.code, 'unknown_staff');

    assert.equal((await ok<Grant>(await decide('admin2', g, 'reject'))).status, 'rejected');
    assert.deepEqual((await ok<Team>(await team('T1'))).books, []);

    const g2 = await ok<Grant>(await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['RM1', 'RM2'] }), 202);
    await ok(await decide('admin2', g2, 'approve'));
    assert.deepEqual((await ok<Team>(await team('T1'))).books, ['RM1', 'RM2']);
    assert.deepEqual(await ids('LEAD'), ['A1', 'B1', 'L1']);

    // No lead, no reach to widen: applied at once.
    await ok(await t.req('admin', 'PUT', '/v1/teams/T2', { name: '二组' }), 201);
    assert.deepEqual((await ok<Team>(await t.req('admin', 'POST', '/v1/teams/T2/books', { add: ['RM1'] }))).books, ['RM1']);
  });

  it('taking a book out applies at once and supersedes a grant that would add it; so does taking the lead away', async () => {
    await ok(await t.req('admin', 'POST', '/v1/teams/T1/books', { remove: ['RM2'] }));
    const g = await ok<Grant>(await t.req('admin', 'POST', '/v1/teams/T1/books', { add: ['RM2'] }), 202);
    const out = await ok<Team>(await t.req('admin', 'POST', '/v1/teams/T1/books', { remove: ['RM2'] }));
    assert.deepEqual(out.books, ['RM1']);
    assert.equal((await grant(g.id)).status, 'superseded');
    await problem(await decide('admin2', g, 'approve'), 409, 'conflict');
    const superseding = (await trail()).find((r) => r.route === '/v1/teams/{id}/books' && r.detail?.supersededGrant === g.id);
    assert.ok(superseding, 'the trail names the grant superseded');

    // Another lead named waits; the lead taken away meanwhile supersedes it, and the team has none.
    const named = await ok<Grant>(await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: 'LEAD2' }), 202);
    assert.deepEqual(named.team?.from, { lead: 'LEAD' });
    assert.equal((await ok<Team>(await team('T1'))).lead, 'LEAD', 'the lead stays until approved');
    const none = await ok<Team>(await t.req('admin', 'PUT', '/v1/teams/T1', { name: '一组', lead: null }));
    assert.equal(none.lead, null);
    assert.equal((await grant(named.id)).status, 'superseded');
    assert.deepEqual(await ids('LEAD'), ['L1']);
    assert.deepEqual(await ids('LEAD2'), []);
  });

  it('a grant asked against a lead who changed since is refused at approval (409 content-changed), nothing applied', async () => {
    const g = await ok<Grant>(await t.req('admin', 'PUT', '/v1/teams/T3', { name: '三组', lead: 'LEAD2' }), 202);
    // The lead was given the whole bank meanwhile (a grant of powers another admin approved).
    const up = await ok<Grant>(await t.req('admin', 'PUT', '/v1/staff/LEAD2', { name: 'LEAD2 名', role: 'officer', scope: 'tenant' }), 202);
    await ok(await decide('admin2', up, 'approve'));
    await problem(await decide('admin2', g, 'approve'), 409, 'content-changed');
    await problem(await team('T3'), 404, 'not-found');
    assert.equal((await grant(g.id)).status, 'pending');
  });

  it('a rename sent with the lead applies at once, and one made while the lead waits stands at approval', async () => {
    await upsertStaff(f.db.db, t.tenantId, { id: 'LEAD3', name: 'LEAD3 名', role: 'officer', scope: 'book' }, START.toISOString());
    await ok(await t.req('admin', 'PUT', '/v1/teams/T4', { name: '四组' }), 201);
    const g = await ok<Grant>(await t.req('admin', 'PUT', '/v1/teams/T4', { name: '四组新', lead: 'LEAD3' }), 202);
    const meanwhile = await ok<Team>(await team('T4'));
    assert.deepEqual([meanwhile.name, meanwhile.lead], ['四组新', null], 'renamed at once, no lead yet');
    await ok(await t.req('admin2', 'PUT', '/v1/teams/T4', { name: '浦东四组' }));
    assert.equal((await grant(g.id)).status, 'pending', 'a rename contradicts no grant');
    await ok(await decide('admin2', g, 'approve'));
    const done = await ok<Team>(await team('T4'));
    assert.deepEqual([done.name, done.lead], ['浦东四组', 'LEAD3'], 'the approval names the lead and undoes no rename');
  });

  it('the lead’s powers changed at once supersede the team grant naming them, so the team is not blocked', async () => {
    await upsertStaff(f.db.db, t.tenantId, { id: 'LEAD4', name: 'LEAD4 名', role: 'officer', scope: 'book' }, START.toISOString());
    const g = await ok<Grant>(await t.req('admin', 'PUT', '/v1/teams/T6', { name: '六组', lead: 'LEAD4' }), 202);
    await ok(await t.req('admin', 'PUT', '/v1/staff/LEAD4', { name: 'LEAD4 名', role: 'viewer', scope: 'book' }));
    assert.equal((await grant(g.id)).status, 'superseded');
    const row = (await trail()).find((r) => r.route === '/v1/staff/{id}' && r.status === 200 && r.detail?.supersededTeamGrants);
    assert.deepEqual(row?.detail?.supersededTeamGrants, [g.id]);
    // A rename of the lead leaves a grant standing.
    const g2 = await ok<Grant>(await t.req('admin', 'PUT', '/v1/teams/T6', { name: '六组', lead: 'LEAD4' }), 202);
    await ok(await t.req('admin', 'PUT', '/v1/staff/LEAD4', { name: 'LEAD4 新名', role: 'viewer', scope: 'book' }));
    assert.equal((await grant(g2.id)).status, 'pending');
  });

  it('four eyes by person: the maker’s other credential and the lead’s own key may not approve it', async () => {
    await upsertStaff(f.db.db, t.tenantId, { id: 'BOSS', name: 'BOSS 名', role: 'admin', scope: 'tenant' }, START.toISOString());
    const bossKey = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'admin', label: 'boss', staffId: 'BOSS', now: START }))
      .secret;
    const bossToken = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'BOSS', ttlSeconds: 900, now: START })).token;
    const leadKey = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'officer', label: 'lead', staffId: 'RM1', now: START }))
      .secret;
    const g = await ok<Grant>(await t.req({ credential: bossKey }, 'PUT', '/v1/teams/T5', { name: '五组', lead: 'RM1' }), 202);
    const by = (credential: string) =>
      t.req({ credential }, 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash, note: 'mine' });
    await problem(await by(bossToken), 403, 'four-eyes');
    await problem(await by(leadKey), 403, 'forbidden');
    await problem(await team('T5'), 404, 'not-found');
    assert.equal((await grant(g.id)).status, 'pending');
    // Its maker, by any credential of theirs, may take it back.
    assert.equal(
      (await ok<Grant>(await t.req({ credential: bossToken }, 'POST', `/v1/staff-grants/${g.id}/withdraw`, {}))).status,
      'withdrawn',
    );
  });
});

forEachDialect('teams: no other admin to decide a team grant', (f) => {
  it('the only admin’s team grant reads approvalBlocked no-other-admin', async () => {
    await provisionTenant(f.db.db, { id: 'team-alone', name: 'team-alone', pack: testPack(), now: NOW });
    const admin = (await createApiKey(f.db.db, { tenantId: 'team-alone', role: 'admin', label: 'only', now: NOW })).secret;
    const send = (method: string, path: string, body?: unknown) =>
      f.app.request(path, {
        method,
        headers: { Authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.equal((await send('PUT', '/v1/staff/SOLO', { name: '周敏', role: 'officer', scope: 'book' })).status, 201);
    const res = await send('PUT', '/v1/teams/T9', { name: '九组', lead: 'SOLO' });
    const g = (await res.json()) as Grant;
    assert.equal(res.status, 202, JSON.stringify(g));
    assert.equal(g.approvalBlocked, 'no-other-admin');
  });
});
