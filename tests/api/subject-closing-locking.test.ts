import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, drainJobs, provisionTenant, type JobView } from '@tierkit/api';
import type { TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId, setSubjectClosed, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { postgresHarness } from '../support/databases.js';
import { approvalTestPack, testPack } from '../support/test-pack.js';

/*
 * A customer closed while a metric write or a re-tier chunk of theirs is under way, on PostgreSQL
 * (SQLite runs one writer at a time). Both read the customer as open before their transaction takes
 * any lock (a chunk holds its customers before it reads their levels and data, a metric write only at
 * its write); the closing commits while they wait; what they then write must not re-tier the customer
 * who left. The closing is held open in a transaction of its own, so the order is forced, not hoped for.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bank-race';
/** A tenant whose AML "high" needs a sign-off. */
const SIGNING = 'bank-race-signing';
/** Polls of `pg_stat_activity` before the test gives up on a lock wait it expects: fails, never spins on. */
const MAX_POLLS = 2000;

describe('closing a customer while they are re-tiered [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let key: string;
  let signingKey: string;
  const req = (method: string, path: string, body?: unknown, as = key) =>
    app.request(path, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${as}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const balances = (id: string, entries: readonly [string, number][]) =>
    req('PUT', `/v1/subjects/${id}/metrics`, {
      metrics: entries.map(([period, yuan]) => ({ metric: 'avg_daily_balance', period, value: yuan * 100 })),
    });
  const retail = async (id: string) =>
    ((await (await req('GET', `/v1/subjects/${id}/tiers`)).json()) as TiersResponse).assignments.find(
      (a) => a.schemeInfo.key === 'retail-tier',
    )?.level;
  const events = async (id: string) => {
    const s = await findSubjectByExternalId(db.db, TENANT, id);
    assert.ok(s);
    return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM tier_events WHERE subject_id = ${s.id}`.execute(db.db)).rows[0]?.n;
  };

  before(async () => {
    db = await harness.open();
    await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: testPack(), now: NOW });
    key = (await createApiKey(db.db, { tenantId: TENANT, role: 'admin', label: 'ops', now: NOW })).secret;
    await provisionTenant(db.db, { id: SIGNING, name: SIGNING, pack: approvalTestPack(), now: NOW });
    signingKey = (await createApiKey(db.db, { tenantId: SIGNING, role: 'admin', label: 'ops', now: NOW })).secret;
    app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
  });
  after(() => harness.stopAll());

  /** A closing of `id` written and not committed: its row lock is held until `commit`. */
  async function closingInFlight(id: string, tenantId = TENANT) {
    const subject = await findSubjectByExternalId(db.db, tenantId, id);
    assert.ok(subject);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: (pid: number) => void;
    const pid = new Promise<number>((r) => (started = r));
    const done = db.db.transaction().execute(async (trx) => {
      started((await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid ?? 0);
      const closed = { at: '2025-11-10T02:00:00.000Z', reason: '客户主动销户' };
      assert.equal(await setSubjectClosed(trx, tenantId, subject.id, closed, NOW.toISOString()), true);
      await gate;
    });
    const holder = await pid;
    return {
      /** Until a statement waits for the closing's lock (at most MAX_POLLS looks; then the test fails). */
      async waitedFor() {
        for (let i = 0; i < MAX_POLLS; i++) {
          const n = (
            await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND ${holder}::int = ANY(pg_blocking_pids(pid))`.execute(db.db)
          ).rows[0]?.n;
          if (n) return;
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.fail('nothing waited for the closing');
      },
      async commit() {
        release();
        await done;
      },
    };
  }

  it('a metric write that read the customer open re-tiers nobody once the closing commits', async () => {
    assert.equal((await req('PUT', '/v1/subjects/R1', { kind: 'customer', displayName: '张晓明' })).status, 201);
    assert.equal((await balances('R1', [['2025-10', 10_000]])).status, 200);
    assert.equal(await retail('R1'), 'standard');
    const before = await events('R1');

    const closing = await closingInFlight('R1');
    // Reads R1 open (the closing is not committed), then waits for its row.
    const put = balances('R1', [['2025-11', 9_000_000]]);
    await closing.waitedFor();
    await closing.commit();
    const res = await put;
    assert.equal(res.status, 200, await res.clone().text());
    // Before the fix: diamond, written to a customer who had left.
    assert.equal(await retail('R1'), 'standard', 'the closed customer keeps the level they left with');
    assert.equal(await events('R1'), before, 'no tier event after the closing');
  });

  it('a re-tier chunk that finds a closing of the customer in flight waits for it before it plans, then skips them', async () => {
    assert.equal((await req('PUT', '/v1/subjects/R2', { kind: 'customer', displayName: '李雷' })).status, 201);
    assert.equal((await balances('R2', [['2025-10', 10_000]])).status, 200);
    // The November balance arrives through an import or a write before the job: stored, not yet tiered.
    const s = await findSubjectByExternalId(db.db, TENANT, 'R2');
    assert.ok(s);
    await sql`INSERT INTO metrics (tenant_id, subject_id, metric, period, value)
      VALUES (${TENANT}, ${s.id}, 'avg_daily_balance', '2025-11', 900000000)`.execute(db.db);
    const queued = await req('POST', '/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, filter: { subjects: ['R2'] } });
    assert.equal(queued.status, 201, await queued.clone().text());
    const { id: jobId } = (await queued.json()) as JobView;
    const before = await events('R2');

    const closing = await closingInFlight('R2');
    const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    await closing.waitedFor();
    await closing.commit();
    await drained;
    const job = (await (await req('GET', `/v1/jobs/${jobId}`)).json()) as JobView;
    assert.deepEqual(job.progress.subjects, { total: 1, processed: 0, skipped: 1 }, 'closed by the time the chunk held them: skipped');
    assert.equal(await retail('R2'), 'standard');
    assert.equal(await events('R2'), before);
  });

  it('a re-tier chunk whose customer would need a sign-off waits for a closing in flight and opens none', async () => {
    assert.equal((await req('PUT', '/v1/subjects/R3', { kind: 'customer', displayName: '韩梅梅' }, signingKey)).status, 201);
    const aml = (period: string, value: number) =>
      req('PUT', '/v1/subjects/R3/metrics', { metrics: [{ metric: 'aml_customer_risk', period, value }] }, signingKey);
    assert.equal((await aml('2025-10', 10)).status, 200);
    const s = await findSubjectByExternalId(db.db, SIGNING, 'R3');
    assert.ok(s);
    // A November score that makes them "high", which needs a sign-off: stored, not yet tiered.
    await sql`INSERT INTO metrics (tenant_id, subject_id, metric, period, value)
      VALUES (${SIGNING}, ${s.id}, 'aml_customer_risk', '2025-11', 95)`.execute(db.db);
    // November's balances are loaded (another customer's), as a re-tier of the month asks.
    assert.equal((await req('PUT', '/v1/subjects/R3B', { kind: 'customer', displayName: '李华' }, signingKey)).status, 201);
    const balance = { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 1_000_000 }] };
    assert.equal((await req('PUT', '/v1/subjects/R3B/metrics', balance, signingKey)).status, 200);
    const queued = await req(
      'POST',
      '/v1/jobs',
      { kind: 'retier', period: '2025-11', allowOpenMonth: true, filter: { subjects: ['R3'] } },
      signingKey,
    );
    assert.equal(queued.status, 201, await queued.clone().text());
    const { id: jobId } = (await queued.json()) as JobView;

    const closing = await closingInFlight('R3', SIGNING);
    const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    await closing.waitedFor();
    await closing.commit();
    await drained;
    const job = (await (await req('GET', `/v1/jobs/${jobId}`, undefined, signingKey)).json()) as JobView;
    assert.deepEqual(job.progress.subjects, { total: 1, processed: 0, skipped: 1 });
    // Before the fix: a pending sign-off of "high", a level the customer was never given.
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM level_approvals WHERE subject_id = ${s.id}`.execute(db.db);
    assert.equal(left.rows[0]?.n, 0, 'no sign-off for a level that was not stored');
    const decisions = await sql<{ n: number }>`SELECT count(*)::int AS n FROM approval_decisions WHERE subject_id = ${s.id}`.execute(db.db);
    assert.equal(decisions.rows[0]?.n, 0, 'nor a "requested" record of one');
  });
});
