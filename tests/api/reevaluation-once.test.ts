import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId } from '@tierkit/db';
import { sql } from 'kysely';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * One re-evaluation of a customer takes their row's lock and moves their version (what read ETags
 * and the kept-read cache key by) once, however much it stores, and not at all when it stores
 * nothing (no data yet). A sign-off decision moves it once too, and so do an override's approval and
 * revocation (each re-evaluates) and a closing (whatever it withdraws). A re-evaluation that fails leaves
 * nothing behind (a plain rollback check; the closing race is tests/api/subject-closing-locking.test.ts).
 */

forEachDialect('a re-evaluation moves its subject once; a failed one changes nothing', (f) => {
  let t: FourEyesTenant;
  before(async () => {
    t = await fourEyesTenant(f, 'reeval-once', START);
  });

  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const put = (id: string, metric: string, period: string, value: number) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric, period, value }] });
  const subjectOf = async (id: string) => {
    const s = await findSubjectByExternalId(f.db.db, t.tenantId, id);
    assert.ok(s, id);
    return s;
  };
  const amlOf = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`));
    return { level: tiers.assignments[0]?.level, approvalRequired: tiers.assignments[0]?.approvalRequired };
  };
  /** Every sign-off row of the subject and every decision recorded for it, whatever their status. */
  const signOffTrail = async (subjectId: string) => {
    const approvals = await sql<{ n: number }>`SELECT count(*) AS n FROM level_approvals WHERE subject_id = ${subjectId}`.execute(f.db.db);
    const decisions = await sql<{ n: number }>`SELECT count(*) AS n FROM approval_decisions WHERE subject_id = ${subjectId}`.execute(
      f.db.db,
    );
    return { approvals: Number(approvals.rows[0]?.n), decisions: Number(decisions.rows[0]?.n) };
  };

  it('a metric write moves the version exactly once: with no level change, with one, and opening a sign-off', async () => {
    await customer('RO1');
    ok(await put('RO1', 'aml_customer_risk', '2025-09', 10));
    const s = await subjectOf('RO1');
    const version = async () => (await subjectOf('RO1')).version;

    let v = await version();
    ok(await put('RO1', 'aml_customer_risk', '2025-09', 11));
    assert.equal(await version(), v + 1, 'same level: one move (before: two, one per lock)');

    v = await version();
    ok(await put('RO1', 'avg_daily_balance', '2025-10', 9_000_000_00));
    assert.equal(await version(), v + 1, 'a level change and its tier event: one move');

    v = await version();
    ok(await put('RO1', 'aml_customer_risk', '2025-10', 95));
    assert.equal(await version(), v + 1, 'a move into an approval-required level, opening its sign-off: one move');
    assert.deepEqual(await amlOf('RO1'), { level: 'high', approvalRequired: true });
    assert.deepEqual(await signOffTrail(s.id), { approvals: 1, decisions: 1 }, 'the sign-off and its "requested" record');

    v = await version();
    ok(await t.req('officer', 'GET', '/v1/subjects/RO1/levels/aml-test/approval'));
    assert.equal(await version(), v, 'a read moves nothing');
  });

  it('a sign-off decision moves the version once, and a staff read kept from before it is built again', async () => {
    for (const [id, action] of [
      ['RO3', 'approve'],
      ['RO4', 'reject'],
    ] as const) {
      await customer(id);
      ok(await put(id, 'aml_customer_risk', '2025-10', 95));
      const signOff = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`));
      const read = await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`);
      const etag = read.headers.get('etag');
      assert.ok(etag);
      const v = (await subjectOf(id)).version;
      ok(
        await t.req('approver', 'POST', `/v1/subjects/${id}/levels/aml-test/${action}`, { contentHash: signOff.contentHash, note: '核实' }),
      );
      // Before: two moves, one for the lock it took and one for the assignment's flag.
      assert.equal((await subjectOf(id)).version, v + 1, `${action}: one move`);
      const again = await t.app.request(`/v1/subjects/${id}/tiers?scheme=aml-test`, {
        headers: { Authorization: `Bearer ${t.keys.viewer}`, 'If-None-Match': etag },
      });
      assert.equal(again.status, 200, `${action}: the kept read is not served after the decision`);
      assert.deepEqual(await amlOf(id), { level: 'high', approvalRequired: false });
    }
  });

  /** A staff read of the subject's tiers and its ETag, to ask again with it after a write. */
  const keptRead = async (id: string) => {
    const etag = (await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers`)).headers.get('etag');
    assert.ok(etag);
    return async () =>
      (await t.app.request(`/v1/subjects/${id}/tiers`, { headers: { Authorization: `Bearer ${t.keys.viewer}`, 'If-None-Match': etag } }))
        .status;
  };

  it('approving an override that changes the level moves the version once, and so does revoking it', async () => {
    await customer('RO6');
    ok(await put('RO6', 'avg_daily_balance', '2025-10', 10_000_00));
    const pending = await ok<{ id: string; contentHash: string }>(await requestOverride(t, 'RO6'), 201);
    let v = (await subjectOf('RO6')).version;
    let again = await keptRead('RO6');
    ok(await t.req('approver', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }));
    // Before: two, one for the override's row and one for the levels its re-evaluation stored.
    assert.equal((await subjectOf('RO6')).version, v + 1, 'approve: one move');
    assert.equal(await again(), 200, 'approve: the kept read is not served');
    const retail = (await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/RO6/tiers?scheme=retail-tier'))).assignments[0];
    assert.equal(retail?.level, 'gold', 'the override decides, stored with that one move');

    v = (await subjectOf('RO6')).version;
    again = await keptRead('RO6');
    ok(await t.req('approver', 'POST', `/v1/overrides/${pending.id}/revoke`, { note: '到期' }));
    assert.equal((await subjectOf('RO6')).version, v + 1, 'revoke: one move');
    assert.equal(await again(), 200, 'revoke: the kept read is not served');
    const back = (await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/RO6/tiers?scheme=retail-tier'))).assignments[0];
    assert.notEqual(back?.level, 'gold', 'the rules decide again');
  });

  it('a closing moves the version once, however many requests and sign-offs it withdraws', async () => {
    await customer('RO7');
    // A sign-off (the approver's upload grades the customer 高) and an override request, both pending.
    ok(
      await t.req('approver', 'PUT', '/v1/subjects/RO7/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
      }),
    );
    ok(await requestOverride(t, 'RO7'), 201);
    ok(await requestOverride(t, 'RO7', { scheme: 'aml-test', level: 'low' }), 201);
    assert.deepEqual(await amlOf('RO7'), { level: 'high', approvalRequired: true });
    const v = (await subjectOf('RO7')).version;
    const again = await keptRead('RO7');
    ok(await t.req('admin', 'POST', '/v1/subjects/RO7/close', { reason: '销户' }));
    // Before: one for the row, one per withdrawn request, one per withdrawn sign-off (four here).
    assert.equal((await subjectOf('RO7')).version, v + 1, 'one move for the closing and all it withdrew');
    assert.equal(await again(), 200, 'the kept read is not served after the closing');
    assert.deepEqual(await amlOf('RO7'), { level: 'high', approvalRequired: false }, 'the sign-off no longer shows as waiting');
    const withdrawn = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM overrides WHERE subject_id = ${(await subjectOf('RO7')).id} AND status = 'withdrawn'`.execute(f.db.db);
    assert.equal(Number(withdrawn.rows[0]?.n), 2, 'both requests withdrawn');
  });

  it('a re-evaluation that finds no data stores nothing and leaves the version alone', async () => {
    // An override approved for a customer with no metrics yet: its approval re-evaluates them (it
    // decides from their first evaluation), which finds nothing to evaluate.
    await customer('RO5');
    const pending = await ok<{ id: string; contentHash: string }>(await requestOverride(t, 'RO5'), 201);
    const v = (await subjectOf('RO5')).version;
    ok(await t.req('approver', 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }));
    // The override's own change is one move; before, the re-evaluation's lock made a second.
    assert.equal((await subjectOf('RO5')).version, v + 1, 'the approval alone moves it');
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/RO5/tiers'));
    assert.deepEqual(tiers.assignments, [], 'nothing evaluated');
    // Its first data then decides by the override, stored and moved once.
    const w = (await subjectOf('RO5')).version;
    ok(await put('RO5', 'avg_daily_balance', '2025-10', 10_000_00));
    assert.equal((await subjectOf('RO5')).version, w + 1);
    const retail = (await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/RO5/tiers?scheme=retail-tier'))).assignments[0];
    assert.equal(retail?.level, 'gold');
  });

  it('a metric write whose store fails rolls back: no level, no sign-off, no version move', async () => {
    await customer('RO2');
    ok(await put('RO2', 'aml_customer_risk', '2025-10', 10));
    const s = await subjectOf('RO2');
    const before = { version: s.version, aml: await amlOf('RO2'), trail: await signOffTrail(s.id) };
    // The store's assignment write fails for this customer alone, as a constraint would: the
    // transaction rolls back whole, the sign-off its move into "high" calls for included.
    if (f.db.dialect === 'sqlite') {
      await sql`CREATE TRIGGER fail_ro2 BEFORE INSERT ON assignments WHEN NEW.subject_id = ${sql.lit(s.id)}
        BEGIN SELECT RAISE(ABORT, 'injected store failure'); END`.execute(f.db.db);
    } else {
      await sql`CREATE FUNCTION fail_ro2() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected store failure'; END $$`.execute(f.db.db);
      await sql`CREATE TRIGGER fail_ro2 BEFORE INSERT ON assignments FOR EACH ROW
        WHEN (NEW.subject_id = ${sql.lit(s.id)}) EXECUTE FUNCTION fail_ro2()`.execute(f.db.db);
    }
    try {
      const res = await put('RO2', 'aml_customer_risk', '2025-11', 95);
      assert.equal(res.status, 500, await res.clone().text());
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    } finally {
      await sql`DROP TRIGGER fail_ro2${f.db.dialect === 'sqlite' ? sql`` : sql` ON assignments`}`.execute(f.db.db);
      if (f.db.dialect === 'postgres') await sql`DROP FUNCTION fail_ro2()`.execute(f.db.db);
    }
    assert.deepEqual(await signOffTrail(s.id), before.trail, 'no sign-off, no decision record');
    assert.equal((await t.req('officer', 'GET', '/v1/subjects/RO2/levels/aml-test/approval')).status, 404);
    assert.deepEqual(await amlOf('RO2'), before.aml);
    assert.equal((await subjectOf('RO2')).version, before.version, 'nothing stored: the version did not move');

    // The same write once the fault is gone: stored, signed off once.
    ok(await put('RO2', 'aml_customer_risk', '2025-11', 95));
    assert.deepEqual(await amlOf('RO2'), { level: 'high', approvalRequired: true });
    assert.equal((await signOffTrail(s.id)).approvals, 1);
  });
});
