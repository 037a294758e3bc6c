import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core';
import { findLatestLevelApproval, findOverride, findSubjectByExternalId, insertOverride, setSubjectClosed, type Db } from '@tierkit/db';
import type { ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
import { sql } from 'kysely';
import { answeredWithoutWaiting, backendPid, blockedBy } from '../support/pg-lock-waits.js';
import { closeSubject } from '../../packages/api/src/services/closing.js';

/*
 * A closing meeting an override step or a sign-off decision in flight, on PostgreSQL (SQLite runs one
 * writer at a time). The other side is a transaction of the test's own, holding the locks the API's
 * step (or the closing) takes, so which commits first is forced, not hoped for: neither may deadlock,
 * each sees what committed while it waited, and nothing of the customer is left pending in no queue.
 */

describe('closing a customer while an override step or a sign-off decision of theirs is in flight [postgres]', () => {
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
  it('a sign-off decision read as pending while a closing withdraws it: the checker waits and is told the customer closed; its requester is refused by four eyes at once', async () => {
    const id = 'L5';
    await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '周芷若' }), 201);
    // The approver's upload grades the customer 高: a sign-off the approver may not decide.
    await ok(
      await t.req('approver', 'PUT', `/v1/subjects/${id}/metrics`, {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
      }),
    );
    const subjectId = await subjectIdOf(id);
    const signOff = await ok<{ contentHash: string }>(await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`));
    const decide = (who: 'approver' | 'approver2') =>
      t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/approve`, { contentHash: signOff.contentHash, note: '核实' });
    let checker: Promise<Response> | undefined;
    // The closing in flight: the customer's row and the sign-off held, withdrawn, not yet committed.
    await db.db.transaction().execute(async (trx) => {
      const pid = await backendPid(trx);
      const withdrawn = await closeSubject(
        trx,
        t.tenantId,
        subjectId,
        { at: START.toISOString(), reason: '销户' },
        'admin',
        START.toISOString(),
      );
      assert.equal(withdrawn?.signOffs.length, 1);
      // Four eyes needs nothing the closing holds: its requester is refused on what they read, unqueued.
      const own = await answeredWithoutWaiting(db.db, pid, decide('approver'));
      assert.equal(own.status, 403, await own.clone().text());
      assert.equal(((await own.json()) as { type: string }).type, 'https://tierkit.dev/problems/four-eyes');
      // Another approver reads it pending too, and queues for the customer's row behind the closing.
      checker = decide('approver2');
      await blockedBy(db.db, pid);
    });
    assert.ok(checker);
    const res = await checker;
    const body = (await res.json()) as { errors?: { code?: string }[] };
    assert.equal(res.status, 409, JSON.stringify(body));
    // What they had open went with the closing: that is the answer, not "none waiting" (404).
    assert.deepEqual(
      body.errors?.map((e) => e.code),
      ['subject_closed'],
    );
    const after = await findLatestLevelApproval(db.db, t.tenantId, subjectId, 'aml-test');
    assert.deepEqual([after?.status, after?.decidedBy], ['withdrawn', 'admin']);
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

  const DONE = { edit: 'edited', withdraw: 'withdrawn', approve: 'approved', reject: 'rejected' } as const;
  for (const filed of ['before', 'meanwhile'] as const)
    for (const step of ['edit', 'withdraw', 'approve', 'reject'] as const)
      it(`a request filed ${filed === 'before' ? 'before the closing' : 'while the closing waits for the customer'}, then ${DONE[step]} as the closing waits: neither deadlocks, the step says subject_closed`, async () => {
        const id = `L4_${filed}_${step}`;
        await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '赵敏' }), 201);
        const subjectId = await subjectIdOf(id);
        const officer = await db.db
          .selectFrom('api_keys')
          .select('id')
          .where('tenant_id', '=', t.tenantId)
          .where('label', '=', 'officer')
          .executeTakeFirstOrThrow();
        const requestId = filed === 'before' ? (await ok<{ id: string }>(await requestOverride(t, id), 201)).id : `ovr_meanwhile_${step}`;
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
          if (filed === 'meanwhile')
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
          // Its requester edits or withdraws it, or an approver decides it, in the same instant: queued behind the closing.
          other =
            step === 'edit'
              ? t.req('officer', 'PATCH', `/v1/overrides/${requestId}`, { reason: 'VIP 客户' })
              : step === 'withdraw'
                ? t.req('officer', 'POST', `/v1/overrides/${requestId}/withdraw`, {})
                : t.req('approver', 'POST', `/v1/overrides/${requestId}/${step}`, { contentHash: request.contentHash, note: 'no' });
          await waitersOf(pid, 2);
        });
        assert.ok(closing && other);
        const [c, o] = await Promise.all([closing, other]);
        // Once a step held the request and waited for the customer's row while the closing held that row
        // and waited for the request (filed meanwhile): PostgreSQL aborted one of them, a 500. Then an
        // edit or withdrawal that waited for the closing answered `content-changed`, "read it again".
        assert.equal(c.status, 200, await c.clone().text());
        const refused = (await o.json()) as { errors?: { code?: string }[] };
        assert.equal(o.status, 409, JSON.stringify(refused));
        // The request went with the closing: every step says so, not that the request changed meanwhile.
        assert.deepEqual(
          refused.errors?.map((e) => e.code),
          ['subject_closed'],
        );
        assert.equal((await findOverride(db.db, t.tenantId, requestId))?.status, 'withdrawn');
        assert.deepEqual((await closingDetail(id)).withdrawnOverrides, [requestId]);
      });
});
