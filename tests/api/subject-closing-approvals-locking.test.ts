import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core';
import { findOverride, findSubjectByExternalId, insertOverride, setSubjectClosed, type Db } from '@tierkit/db';
import type { ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { sql } from 'kysely';
import { backendPid, blockedBy } from '../support/pg-lock-waits.js';

/*
 * A closing meeting an override step in flight, on PostgreSQL (SQLite runs one writer at a time). The
 * other side is a transaction of the test's own, holding the locks the API's step takes, so which
 * commits first is forced, not hoped for: the closing must wait rather than deadlock, see what
 * committed while it waited, and leave nothing of the customer pending in no queue.
 */

describe('closing a customer while an override step of theirs is in flight [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let t: FourEyesTenant;
  const subjectIdOf = async (externalId: string) => {
    const s = await findSubjectByExternalId(db.db, t.tenantId, externalId);
    assert.ok(s);
    return s.id;
  };
  const closingDetail = async (externalId: string) => {
    const trail = await ok<{ items: AuditRecord[] }>(await t.req('admin', 'GET', '/v1/audit?limit=50'));
    const rec = trail.items.find((r) => r.phase === 'result' && r.route === '/v1/subjects/{id}/close' && r.target.id === externalId);
    assert.ok(rec, `no closing of ${externalId} on the trail`);
    return rec.detail ?? {};
  };
  /** Runs `hold` in a transaction, starts `then` once it holds its locks, commits when `then` waits for them. */
  async function whileHeld<T>(hold: (trx: Db['db']) => Promise<void>, then: () => Promise<T>, last?: (trx: Db['db']) => Promise<void>) {
    let started: Promise<T> | undefined;
    await db.db.transaction().execute(async (trx) => {
      const pid = await backendPid(trx);
      await hold(trx as unknown as Db['db']);
      started = then();
      await blockedBy(db.db, pid);
      await last?.(trx as unknown as Db['db']);
    });
    assert.ok(started);
    return started;
  }

  before(async () => {
    db = await harness.open();
    t = await fourEyesTenant({ db } as ApiFixture, 'fe-closing-lock', START);
  });
  after(() => harness.stopAll());

  it('a decision holding the subject, then its request: the closing waits, the request stays decided, the sign-off is withdrawn', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/L1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await t.req('approver', 'PUT', '/v1/subjects/L1/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
      }),
    );
    const signOff = await ok<{ id: string }>(await t.req('viewer', 'GET', '/v1/subjects/L1/levels/aml-test/approval'));
    const request = await ok<{ id: string }>(await requestOverride(t, 'L1'), 201);
    const subjectId = await subjectIdOf('L1');
    const nowIso = START.toISOString();
    // As decideOverride: the subject's row first, then the request's write; the closing, which takes
    // the row first too, waits for the whole decision and finds the request decided.
    const closing = await whileHeld(
      async (trx) => {
        await sql`SELECT id FROM subjects WHERE id = ${subjectId} FOR NO KEY UPDATE`.execute(trx);
        const decided = await trx
          .updateTable('overrides')
          .set({ status: 'rejected', decided_by: 'approver', decided_at: nowIso, decision_note: 'no', updated_at: nowIso })
          .where('tenant_id', '=', t.tenantId)
          .where('id', '=', request.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        assert.equal(Number(decided.numUpdatedRows), 1);
      },
      () => t.req('admin', 'POST', '/v1/subjects/L1/close', { reason: '销户' }),
      // The decision's bump of the subject, then (as the re-evaluation that may follow it) the subject's sign-off.
      async (trx) => {
        await trx
          .updateTable('subjects')
          .set((eb) => ({ version: eb('version', '+', 1) }))
          .where('id', '=', subjectId)
          .execute();
        await trx
          .updateTable('level_approvals')
          .set({ decision_note: null })
          .where('subject_id', '=', subjectId)
          .where('status', '=', 'pending')
          .execute();
      },
    );
    assert.equal(closing.status, 200, await closing.clone().text());
    assert.equal((await ok<{ status: string }>(await t.req('viewer', 'GET', `/v1/overrides/${request.id}`))).status, 'rejected');
    const detail = await closingDetail('L1');
    assert.deepEqual([detail.withdrawnOverrides ?? null, detail.withdrawnSignOffs], [null, [signOff.id]]);
  });

  it('a request committed while the closing waits for the subject is withdrawn by the closing too', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/L2', { kind: 'customer', displayName: '李雷' }), 201);
    const subjectId = await subjectIdOf('L2');
    const id = 'ovr_filed_meanwhile';
    const closing = await whileHeld(
      // As requestOverride's write: the new request, then the subject's bump; not seen by the closing's first read.
      async (trx) => {
        const o = {
          id,
          scheme: 'retail-tier',
          level: 'gold',
          mode: 'fixed',
          reason: 'VIP',
          expiresAt: null,
          requestedBy: 'officer',
          approvedBy: null,
        } as const;
        await insertOverride(trx, t.tenantId, subjectId, o, START.toISOString(), { status: 'pending', contentHash: 'h' });
      },
      () => t.req('admin', 'POST', '/v1/subjects/L2/close', { reason: '销户' }),
    );
    assert.equal(closing.status, 200, await closing.clone().text());
    assert.equal((await findOverride(db.db, t.tenantId, id))?.status, 'withdrawn');
    assert.deepEqual((await closingDetail('L2')).withdrawnOverrides, [id]);
  });

  it('a request filed while a closing is in flight is refused once the closing commits, and nothing of it stays', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/L3', { kind: 'customer', displayName: '韩梅' }), 201);
    const subjectId = await subjectIdOf('L3');
    const filing = await whileHeld(
      async (trx) => {
        assert.equal(
          await setSubjectClosed(trx, t.tenantId, subjectId, { at: '2025-11-10T02:00:00.000Z', reason: '销户' }, START.toISOString()),
          true,
        );
      },
      // Its check reads the customer open (the closing is not committed), then its write waits.
      () => requestOverride(t, 'L3'),
    );
    const body = (await filing.json()) as { type: string; errors?: { code?: string }[] };
    assert.equal(filing.status, 409, JSON.stringify(body));
    assert.deepEqual(
      body.errors?.map((e) => e.code),
      ['subject_closed'],
    );
    const left = await db.db.selectFrom('overrides').select('id').where('subject_id', '=', subjectId).execute();
    assert.deepEqual(left, []);
  });
  /** Until `n` statements wait for a lock of backend `holder` (directly or queued behind another), else the test fails. */
  async function waitersOf(holder: number, n: number) {
    for (let i = 0; i < 2000; i++) {
      const waiting = (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0 AND pid <> ${holder}::int`.execute(db.db)
      ).rows[0]?.n;
      if ((waiting ?? 0) >= n) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`fewer than ${n} statements waited`);
  }

  for (const step of ['edit', 'approve'] as const)
    it(`a request filed while the closing waits for the customer, then ${step === 'edit' ? 'edited' : 'approved'} at once: neither deadlocks`, async () => {
      const id = step === 'edit' ? 'L4' : 'L5';
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '赵敏' }), 201);
      const subjectId = await subjectIdOf(id);
      const officer = await db.db
        .selectFrom('api_keys')
        .select('id')
        .where('tenant_id', '=', t.tenantId)
        .where('label', '=', 'officer')
        .executeTakeFirstOrThrow();
      const requestId = `ovr_meanwhile_${step}`;
      const nowIso = START.toISOString();
      let closing: Promise<Response> | undefined;
      let other: Promise<Response> | undefined;
      // Something else holds the customer's row (a metric write, say) while the closing queues for it.
      await db.db.transaction().execute(async (holder) => {
        const pid = await backendPid(holder);
        await sql`SELECT id FROM subjects WHERE id = ${subjectId} FOR NO KEY UPDATE`.execute(holder);
        closing = t.req('admin', 'POST', `/v1/subjects/${id}/close`, { reason: '销户' });
        await blockedBy(db.db, pid);
        // A request committed now, after the closing began: written as requestOverride writes it, but
        // without its bump of the customer's version, which would queue behind the closing (the filing
        // committing just before the closing took the row is the same moment, which no test can hit).
        await db.db
          .insertInto('overrides')
          .values({
            id: requestId,
            tenant_id: t.tenantId,
            subject_id: subjectId,
            scheme: 'retail-tier',
            level: 'gold',
            mode: 'fixed',
            reason: 'VIP',
            expires_at: null,
            requested_by: `key:${officer.id}`,
            approved_by: null,
            created_at: nowIso,
            revoked_at: null,
            status: 'pending',
            content_hash: 'h',
            updated_at: nowIso,
            decided_by: null,
            decided_at: null,
            decision_note: null,
            revoked_by: null,
            revoke_note: null,
            requester_scope: 'tenant',
          })
          .execute();
        const request = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', `/v1/overrides/${requestId}`));
        // Its requester edits it, or an approver approves it, in the same instant: queued behind the closing.
        other =
          step === 'edit'
            ? t.req('officer', 'PATCH', `/v1/overrides/${requestId}`, { reason: 'VIP 客户' })
            : t.req('approver', 'POST', `/v1/overrides/${requestId}/approve`, { contentHash: request.contentHash });
        await waitersOf(pid, 2);
      });
      assert.ok(closing && other);
      const [c, o] = await Promise.all([closing, other]);
      // Before the fix the step held the request and waited for the customer's row, while the closing
      // held that row and waited for the request: PostgreSQL aborted one of them (a 500).
      assert.equal(c.status, 200, await c.clone().text());
      const refused = (await o.json()) as { errors?: { code?: string }[] };
      assert.equal(o.status, 409, JSON.stringify(refused));
      if (step === 'approve')
        assert.deepEqual(
          refused.errors?.map((e) => e.code),
          ['subject_closed'],
        );
      assert.equal((await findOverride(db.db, t.tenantId, requestId))?.status, 'withdrawn');
      assert.deepEqual((await closingDetail(id)).withdrawnOverrides, [requestId]);
    });
});
