import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core';
import { findOverride, findSubjectByExternalId, insertOverride, setSubjectClosed, type Db } from '@tierkit/db';
import type { ApiFixture } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';
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

  it('a decision holding its request, then taking the subject: the closing waits, the request stays decided, the sign-off is withdrawn', async () => {
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
    // The decision's two steps are split by the closing: it holds only the request until the closing
    // waits, and takes the subject's row after. A closing that took the row before the requests would
    // then wait for the request while the decision waits for the row: PostgreSQL aborts one of the two.
    const closing = await whileHeld(
      // As decideOverride's write, before its bump of the subject.
      async (trx) => {
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
});
