import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { findSubjectByExternalId, type Db, type Executor } from '@tierkit/db';
import { sql } from 'kysely';
import type { ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * A relationship manager's write on an override request checks the customer is in their book; a move
 * of the customer to another book must not land between that check and the commit (packages/api
 * README, "Four eyes"). SQLite serializes writers; PostgreSQL runs them side by side, so the check
 * holds the book's row until the write commits.
 */
describe('override requests and a move of the customer at the same time [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let t: FourEyesTenant;
  const rm: Record<string, string> = {};
  before(async () => {
    db = await harness.open();
    t = await fourEyesTenant({ db } as ApiFixture, 'book-locking', START);
    for (const id of ['RM1', 'RM2']) {
      await ok(await t.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
      rm[id] = (await mintStaffToken(db.db, { tenantId: t.tenantId, staffId: id, ttlSeconds: 900, now: START })).token;
    }
  });
  after(() => harness.stopAll());

  const customer = async (id: string, manager: string) => {
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager }));
  };
  const request = (credential: string, id: string) =>
    t.req({ credential }, 'POST', `/v1/subjects/${id}/overrides`, {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });
  const lockWaits = async () =>
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db.db)
    ).rows[0]?.n ?? 0;
  /** Run `fn` in a transaction that holds what `lock` takes until `release` is called. */
  const holding = (lock: (trx: Executor) => Promise<unknown>) => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const held = new Promise<void>((r) => (locked = r));
    const done = db.db.transaction().execute(async (trx) => {
      await lock(trx);
      locked();
      await released;
    });
    return { held, release, done };
  };

  it('a move waits for a withdrawal that checked the book: the RM’s withdrawal commits before the customer leaves', async () => {
    await customer('L1', 'RM1');
    const pending = await ok<{ id: string }>(await request(rm.RM1 ?? '', 'L1'), 201);
    // Stop the withdrawal part-way, after its book check: something else holds the request's row.
    const gate = holding((trx) => sql`SELECT id FROM overrides WHERE id = ${pending.id} FOR UPDATE`.execute(trx));
    await gate.held;
    const withdraw = t.req({ credential: rm.RM1 ?? '' }, 'POST', `/v1/overrides/${pending.id}/withdraw`, {});
    while ((await lockWaits()) < 1) await new Promise((r) => setImmediate(r));
    let moved = false;
    const move = t.req('officer', 'PUT', '/v1/subjects/L1/manager', { manager: 'RM2' }).then((res) => {
      moved = true;
      return res;
    });
    try {
      // Either the move finishes while the withdrawal has not (the race), or it waits for it too.
      while (!moved && (await lockWaits()) < 2) await new Promise((r) => setImmediate(r));
      assert.equal(moved, false, 'the customer did not leave the book while a withdrawal in it was under way');
    } finally {
      gate.release();
      await gate.done;
    }
    const withdrawn = await ok<{ status: string; decidedBy: string }>(await withdraw);
    assert.deepEqual([withdrawn.status, withdrawn.decidedBy], ['withdrawn', 'staff:RM1']);
    await ok(await move);
  });

  it('a customer moved while their RM’s request waited is a clear 404: nothing is filed', async () => {
    await customer('L2', 'RM1');
    const subject = await findSubjectByExternalId(db.db, t.tenantId, 'L2');
    assert.ok(subject);
    // Hold the one-pending-request lock of the customer's scheme, so the request waits inside its transaction.
    const gate = holding((trx) =>
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`tierkit-override:${t.tenantId}:${subject.id}:retail-tier`}, 0))`.execute(trx),
    );
    await gate.held;
    const filing = request(rm.RM1 ?? '', 'L2');
    while ((await lockWaits()) < 1) await new Promise((r) => setImmediate(r));
    try {
      await ok(await t.req('officer', 'PUT', '/v1/subjects/L2/manager', { manager: 'RM2' }));
    } finally {
      gate.release();
      await gate.done;
    }
    const res = await filing;
    const body = (await res.json()) as { type: string; detail: string };
    assert.deepEqual([res.status, body.type], [404, 'https://tierkit.dev/problems/subject-not-found']);
    assert.match(body.detail, /no longer in your book/);
    const listed = await ok<{ items: unknown[] }>(await t.req('approver', 'GET', '/v1/subjects/L2/overrides'));
    assert.equal(listed.items.length, 0, 'nothing was filed');
  });
});
