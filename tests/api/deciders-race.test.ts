import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createApp, mintStaffToken } from '@tierkit/api';
import type { KitError } from '@tierkit/admin';
import { whyFailed } from '../../apps/admin/src/why-failed.js';
import { connect, sqliteFile, upsertStaff, type Db } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import {
  fourEyesTenant,
  gradedHigh,
  loweringPack,
  ok,
  requestOverride,
  START,
  type FourEyesTenant,
  type Person,
} from '../support/four-eyes-fixture.js';

/*
 * Two checkers deciding one request at the same moment, each through a server of their own on the
 * same database: on SQLite two connections to one file (the second server's own writer and reader),
 * on PostgreSQL two apps on the pool's separate connections. A decision once answered 500 on SQLite,
 * never reproduced while the tests ran both decisions through one connection, whose writer lock
 * queued them. Whatever the file's lock does, one decides and the other hears 409 `conflict`, code
 * `already_decided` — never a 500, never both — for an override, a staff grant, a lowering request and a
 * policy version's retirement.
 */

interface Problem {
  type: string;
  status: number;
  detail?: string;
  errors?: { code: string }[];
}

forEachDialect('two servers deciding one request at once', (f) => {
  let t: FourEyesTenant;
  let second: Db;
  let other: ReturnType<typeof createApp>;
  const errors: unknown[] = [];

  before(async () => {
    t = await fourEyesTenant(f, 'race', START, loweringPack());
    const file = await sqliteFile(f.db.db);
    // SQLite: a second connection to the file, as a second process would hold; PostgreSQL: the pool's.
    second = file ? connect({ url: file }) : f.db;
    other = createApp({ db: second.db, now: () => START, logError: (e) => errors.push(e), rateLimit: false });
  });
  after(async () => {
    if (second !== f.db) await second.close();
  });

  /** `who` on the second server. */
  const there = (who: Person | { credential: string }, method: string, path: string, body?: unknown) =>
    other.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${typeof who === 'string' ? t.keys[who] : who.credential}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Both at once, one on each server: one 200, one 409 already_decided; answers the winner's index. */
  async function race(
    a: [Person | { credential: string }, string, string, unknown],
    b: [Person | { credential: string }, string, string, unknown],
    said: RegExp = /^這項申請已由其他複核人員處理/,
  ): Promise<number> {
    const answers = await Promise.all([t.req(...a), there(...b)]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as Problem[];
    const statuses = answers.map((r) => r.status);
    assert.deepEqual([...statuses].sort(), [200, 409], `${JSON.stringify(bodies)} ${errors.map(String).join('\n')}`);
    const lost = bodies[statuses.indexOf(409)];
    assert.deepEqual(
      lost?.errors?.map((e) => e.code),
      ['already_decided'],
      JSON.stringify(lost),
    );
    // The console says what happened in the checker's words, not "conflict".
    assert.match(whyFailed(lost as unknown as KitError, 'zh-TW'), said);
    assert.deepEqual(errors, [], 'nothing logged as an error');
    return statuses.indexOf(200);
  }

  it('an override request: approved once, by one of the two', async () => {
    for (const [i, verbs] of (
      [
        ['approve', 'approve'],
        ['approve', 'reject'],
        ['reject', 'approve'],
      ] as const
    ).entries()) {
      const id = `RO${i}`;
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      const o = await ok<{ id: string; contentHash: string }>(await requestOverride(t, id), 201);
      const body = { contentHash: o.contentHash, note: 'checked' };
      const won = await race(
        ['approver', 'POST', `/v1/overrides/${o.id}/${verbs[0]}`, body],
        ['approver2', 'POST', `/v1/overrides/${o.id}/${verbs[1]}`, body],
      );
      const now = await ok<{ status: string; decidedBy: string }>(await t.req('viewer', 'GET', `/v1/overrides/${o.id}`));
      assert.equal(now.status, verbs[won] === 'approve' ? 'approved' : 'rejected');
      const decisions = await f.db.db
        .selectFrom('approval_decisions')
        .select('action')
        .where('tenant_id', '=', 'race')
        .where('request_id', '=', o.id)
        .where('action', 'in', ['approved', 'rejected'])
        .execute();
      assert.equal(decisions.length, 1, 'one decision recorded');
    }
  });

  it('a staff grant: one admin decides it, the other hears already_decided', async () => {
    const nowIso = START.toISOString();
    for (const [id, role] of [
      ['GA', 'admin'],
      ['GD', 'admin'],
      ['GB', 'officer'],
    ] as const)
      await upsertStaff(f.db.db, 'race', { id, name: `${id} 名`, role, scope: 'tenant' }, nowIso);
    const token = async (staffId: string) => ({
      credential: (await mintStaffToken(f.db.db, { tenantId: 'race', staffId, ttlSeconds: 900, now: START })).token,
    });
    const [a, d] = [await token('GA'), await token('GD')];
    for (const verbs of [
      ['approve', 'approve'],
      ['reject', 'approve'],
    ] as const) {
      await ok(await t.req(a, 'PUT', '/v1/staff/GB', { name: 'GB 名', role: 'officer', scope: 'tenant' }));
      const grant = await ok<{ id: string; contentHash: string }>(
        await t.req(a, 'PUT', '/v1/staff/GB', { name: 'GB 名', role: 'approver', scope: 'tenant' }),
        202,
      );
      const body = { contentHash: grant.contentHash, note: 'checked' };
      await race(
        ['admin', 'POST', `/v1/staff-grants/${grant.id}/${verbs[0]}`, body],
        [d, 'POST', `/v1/staff-grants/${grant.id}/${verbs[1]}`, body],
        /^該授權已由其他管理員處理/,
      );
    }
  });

  it('a team grant: one admin decides it, the other hears already_decided, and the lead is named once', async () => {
    await upsertStaff(f.db.db, 'race', { id: 'TL', name: 'TL 名', role: 'officer', scope: 'book' }, START.toISOString());
    for (const [i, verbs] of (
      [
        ['approve', 'approve'],
        ['reject', 'approve'],
      ] as const
    ).entries()) {
      const grant = await ok<{ id: string; contentHash: string }>(
        await t.req('admin', 'PUT', `/v1/teams/RT${i}`, { name: `组${i}`, lead: 'TL' }),
        202,
      );
      const body = { contentHash: grant.contentHash, note: 'checked' };
      const won = await race(
        ['admin2', 'POST', `/v1/staff-grants/${grant.id}/${verbs[0]}`, body],
        ['admin2', 'POST', `/v1/staff-grants/${grant.id}/${verbs[1]}`, body],
        /^該授權已由其他管理員處理/,
      );
      const made = await t.req('admin', 'GET', `/v1/teams/RT${i}`);
      assert.equal(made.status, verbs[won] === 'approve' ? 200 : 404);
    }
  });

  it('a lead named on one server reads the team’s books on the other only once approved, and not after lead: null', async () => {
    // One process holds both servers, so this checks what the database and the read cache hand out,
    // not the credential cache of a second process (trusted for CREDENTIAL_CACHE_SECONDS: README, "Teams").
    for (const id of ['RTL', 'RRM'])
      await upsertStaff(f.db.db, 'race', { id, name: `${id} 名`, role: 'officer', scope: 'book' }, START.toISOString());
    await ok(await t.req('officer', 'PUT', '/v1/subjects/RS1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/RS1/manager', { manager: 'RRM' }));
    await ok(await t.req('admin', 'PUT', '/v1/teams/RTR', { name: '读组' }), 201);
    await ok(await t.req('admin', 'POST', '/v1/teams/RTR/books', { add: ['RRM'] }));
    const lead = { credential: (await mintStaffToken(f.db.db, { tenantId: 'race', staffId: 'RTL', ttlSeconds: 900, now: START })).token };
    const read = async () =>
      (await ok<{ items: { id: string }[] }>(await there(lead, 'GET', '/v1/subjects?limit=100'))).items.map((s) => s.id);
    assert.deepEqual(await read(), []);
    const g = await ok<{ id: string; contentHash: string }>(
      await t.req('admin', 'PUT', '/v1/teams/RTR', { name: '读组', lead: 'RTL' }),
      202,
    );
    assert.deepEqual(await read(), [], 'nothing new while the grant waits');
    await ok(await t.req('admin2', 'POST', `/v1/staff-grants/${g.id}/approve`, { contentHash: g.contentHash }));
    assert.deepEqual(await read(), ['RS1'], 'the team’s book once approved');
    await ok(await t.req('admin', 'PUT', '/v1/teams/RTR', { name: '读组', lead: null }));
    assert.deepEqual(await read(), [], 'gone with the lead');
  });

  it('a lowering request: 高 → 低 approved once', async () => {
    for (const [i, verbs] of (
      [
        ['approve', 'approve'],
        ['approve', 'reject'],
      ] as const
    ).entries()) {
      const id = `RL${i}`;
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-09', value: 95 }],
        }),
      );
      const high = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`));
      await ok(await t.req('approver', 'POST', `/v1/subjects/${id}/levels/aml-test/approve`, { contentHash: high.contentHash }));
      await gradedHigh(t, id, 10);
      const lowering = await ok<{ proposedLevel: string; contentHash: string }>(
        await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`),
      );
      assert.equal(lowering.proposedLevel, 'low');
      const path = `/v1/subjects/${id}/levels/aml-test`;
      const body = { contentHash: lowering.contentHash, note: 'checked' };
      const won = await race(['admin', 'POST', `${path}/${verbs[0]}`, body], ['approver2', 'POST', `${path}/${verbs[1]}`, body]);
      const tiers = await ok<{ assignments: { level: string }[] }>(
        await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`),
      );
      assert.equal(tiers.assignments[0]?.level, verbs[won] === 'approve' ? 'low' : 'high');
    }
  });
  it('a retirement: approved once, by one of the two — or withdrawn by its asker first', async () => {
    for (const [a, b] of [
      [
        ['approver', 'approve'],
        ['approver2', 'approve'],
      ],
      [
        ['approver', 'approve'],
        ['approver2', 'reject'],
      ],
      [
        ['admin', 'withdraw'],
        ['approver2', 'approve'],
      ],
    ] as const) {
      // A version of its own each round, approved for the next free month, its retirement asked by the admin.
      const draft = await ok<{ version: number }>(await t.req('officer', 'POST', '/v1/policies/retail-tier/drafts', {}), 201);
      const base = `/v1/policies/retail-tier/versions/${draft.version}`;
      const sub = await ok<{ contentHash: string }>(await t.req('officer', 'POST', `${base}/submit`, {}));
      await ok(await t.req('approver', 'POST', `${base}/approve`, { contentHash: sub.contentHash }));
      const asked = await ok<{ retireRequestHash: string }>(await t.req('admin', 'POST', `${base}/retire`, { note: 'tidy up' }), 202);
      const body = (verb: string) => (verb === 'withdraw' ? {} : { contentHash: asked.retireRequestHash, note: 'checked' });
      const won = await race(
        [a[0], 'POST', `${base}/retirement/${a[1]}`, body(a[1])],
        [b[0], 'POST', `${base}/retirement/${b[1]}`, body(b[1])],
      );
      const now = await ok<{ status: string; retireRequestHash: string | null }>(await t.req('approver', 'GET', base));
      assert.equal(now.status, [a, b][won]?.[1] === 'approve' ? 'retired' : 'approved');
      assert.equal(now.retireRequestHash, null, 'nothing waits');
    }
  });
});
