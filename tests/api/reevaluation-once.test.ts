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
 * nothing (no data yet). A sign-off decision moves it once too. A re-evaluation that fails leaves
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
