import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, drainJobs, provisionTenant, type JobView } from '@tierkit/api';
import {
  decideLevelApproval,
  findOverride,
  findPendingLevelApproval,
  findSubjectByExternalId,
  insertOverride,
  type Db,
  type LevelApproval,
} from '@tierkit/db';
import { sql } from 'kysely';
import { postgresHarness } from '../support/databases.js';
import { backendPid, blockedBy } from '../support/pg-lock-waits.js';
import { twoSignOffPack } from '../support/test-pack.js';

/*
 * A sign-off decided while a metric write or a re-tier chunk moves the same customer, on PostgreSQL
 * (SQLite runs one writer at a time). Every path takes the customer's row, then the sign-off, then
 * the assignment; a decision that took the sign-off first deadlocked with a level write (one of them
 * answered 500). The customer's row is held in a transaction of the test's own until both writers
 * wait for it, so the order they then run in is forced, not hoped for.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bank-sign-off-locks';
/** Polls of `pg_stat_activity` before the test gives up on a lock wait it expects: fails, never spins on. */
const MAX_POLLS = 2000;

describe('sign-off decisions against level writes [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let officer: string;
  let approver: string;
  const req = (as: string, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${as}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const aml = (id: string, period: string, value: number) =>
    req(officer, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value }] });

  before(async () => {
    db = await harness.open();
    await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: twoSignOffPack(), now: NOW });
    officer = (await createApiKey(db.db, { tenantId: TENANT, role: 'admin', label: 'officer', now: NOW })).secret;
    approver = (await createApiKey(db.db, { tenantId: TENANT, role: 'approver', label: 'approver', now: NOW })).secret;
    app = createApp({ db: db.db, now: () => NOW, logError: () => undefined });
    // November's balances are loaded (another customer's), as a re-tier of the month asks.
    assert.equal((await req(officer, 'PUT', '/v1/subjects/BAL', { kind: 'customer', displayName: '李华' })).status, 201);
    const balance = { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 1_000_000 }] };
    assert.equal((await req(officer, 'PUT', '/v1/subjects/BAL/metrics', balance)).status, 200);
  });
  after(() => harness.stopAll());

  /** A customer whose AML "medium" waits for a sign-off (October's score). */
  async function pendingMedium(id: string): Promise<{ subjectId: string; medium: LevelApproval }> {
    assert.equal((await req(officer, 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' })).status, 201);
    assert.equal((await aml(id, '2025-10', 60)).status, 200);
    const s = await findSubjectByExternalId(db.db, TENANT, id);
    assert.ok(s);
    const medium = await findPendingLevelApproval(db.db, TENANT, s.id, 'aml-test');
    assert.equal(medium?.level, 'medium');
    return { subjectId: s.id, medium };
  }

  /** A re-tier job of November for `id` alone, whose stored November score makes them "high". */
  async function retierToHigh(id: string, subjectId: string): Promise<string> {
    await sql`INSERT INTO metrics (tenant_id, subject_id, metric, period, value)
      VALUES (${TENANT}, ${subjectId}, 'aml_customer_risk', '2025-11', 95)`.execute(db.db);
    const queued = await req(officer, 'POST', '/v1/jobs', {
      kind: 'retier',
      period: '2025-11',
      allowOpenMonth: true,
      filter: { subjects: [id] },
    });
    assert.equal(queued.status, 201, await queued.clone().text());
    return ((await queued.json()) as JobView).id;
  }

  /** The customer's row held by a transaction of the test's own; `during` runs inside it before it commits. */
  async function holdSubject(subjectId: string) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: (pid: number) => void;
    const pid = new Promise<number>((r) => (started = r));
    const work: { fn: ((trx: typeof db.db) => Promise<void>) | undefined } = { fn: undefined };
    const done = db.db.transaction().execute(async (trx) => {
      // The row is held before anyone is told the holder is there: a writer started after this waits for it.
      await sql`SELECT id FROM subjects WHERE id = ${subjectId} FOR NO KEY UPDATE`.execute(trx);
      started((await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid ?? 0);
      await gate;
      await work.fn?.(trx);
    });
    const holder = await pid;
    return {
      /** Until `n` backends wait for the held row, directly or behind another waiter (else the test fails). */
      async waiting(n: number) {
        for (let i = 0; i < MAX_POLLS; i++) {
          const blocked = (
            await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0 AND pid <> ${holder}::int`.execute(db.db)
          ).rows[0]?.n;
          if ((blocked ?? 0) >= n) return;
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.fail(`fewer than ${n} statements waited for the customer's row`);
      },
      async commit(fn?: (trx: typeof db.db) => Promise<void>) {
        work.fn = fn;
        release();
        await done;
      },
    };
  }

  const trail = async (subjectId: string) =>
    (
      await sql<{ request_id: string; action: string }>`SELECT request_id, action FROM approval_decisions
        WHERE subject_id = ${subjectId} ORDER BY id`.execute(db.db)
    ).rows.map((r) => [r.request_id, r.action]);

  it('a metric write and a decision of the sign-off it supersedes: both answer, neither deadlocks', async () => {
    const { subjectId, medium } = await pendingMedium('SL1');
    const held = await holdSubject(subjectId);
    // The write waits for the customer's row first, the decision second. It corrects October's score
    // (an update of a stored value, so no foreign-key share lock on the row that would let it skip the
    // queue for the row): "high" from October on.
    const write = aml('SL1', '2025-10', 95);
    await held.waiting(1);
    const decision = req(approver, 'POST', '/v1/subjects/SL1/levels/aml-test/approve', { contentHash: medium.contentHash });
    await held.waiting(2);
    await held.commit();
    const [w, d] = await Promise.all([write, decision]);
    // Before the fix the decision held the sign-off and the assignment while waiting for the row the
    // write held, and the write then wanted the sign-off: a deadlock, one of them a 500.
    assert.equal(w.status, 200, await w.clone().text());
    // The write went first and superseded "medium": the decision asked about content no longer pending.
    assert.equal(d.status, 409, await d.clone().text());
    const high = await findPendingLevelApproval(db.db, TENANT, subjectId, 'aml-test');
    assert.equal(high?.level, 'high');
    assert.deepEqual(await trail(subjectId), [
      [medium.id, 'requested'],
      [medium.id, 'superseded'],
      [high.id, 'requested'],
    ]);
  });

  it('a re-tier chunk and a decision of the sign-off it supersedes: both finish, neither deadlocks', async () => {
    const { subjectId, medium } = await pendingMedium('SL2');
    const jobId = await retierToHigh('SL2', subjectId);
    const held = await holdSubject(subjectId);
    const errors: string[] = [];
    const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => errors.push(String(err)) });
    await held.waiting(1);
    const decision = req(approver, 'POST', '/v1/subjects/SL2/levels/aml-test/approve', { contentHash: medium.contentHash });
    await held.waiting(2);
    await held.commit();
    const [, d] = await Promise.all([drained, decision]);
    assert.deepEqual(errors, [], 'the chunk ran without a deadlock');
    assert.equal(d.status, 409, await d.clone().text());
    const job = (await (await req(officer, 'GET', `/v1/jobs/${jobId}`)).json()) as JobView;
    assert.deepEqual(job.progress.subjects, { total: 1, processed: 1, skipped: 0 });
    const high = await findPendingLevelApproval(db.db, TENANT, subjectId, 'aml-test');
    assert.equal(high?.level, 'high');
    assert.deepEqual(await trail(subjectId), [
      [medium.id, 'requested'],
      [medium.id, 'superseded'],
      [high.id, 'requested'],
    ]);
  });

  it('a sign-off decided after a re-tier chunk planned to supersede it stays decided, with no "superseded" record', async () => {
    const { subjectId, medium } = await pendingMedium('SL3');
    await retierToHigh('SL3', subjectId);
    const held = await holdSubject(subjectId);
    const errors: string[] = [];
    // The chunk reads "medium" pending and plans its supersede, then waits for the customer's row.
    const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => errors.push(String(err)) });
    await held.waiting(1);
    // Meanwhile the holder decides it, as a decision holding the row would.
    await held.commit(async (trx) => {
      const decided = { status: 'approved', by: 'approver', at: NOW.toISOString(), note: null } as const;
      assert.equal(await decideLevelApproval(trx, TENANT, medium.id, medium.contentHash, decided), true);
    });
    await drained;
    assert.deepEqual(errors, []);
    const rows = await sql<{ id: string; level: string; status: string }>`SELECT id, level, status FROM level_approvals
      WHERE subject_id = ${subjectId} ORDER BY id`.execute(db.db);
    assert.deepEqual(
      rows.rows.map((r) => [r.level, r.status]),
      [
        ['medium', 'approved'],
        ['high', 'pending'],
      ],
    );
    // Before the fix: a "superseded" step on the trail of a sign-off that was approved.
    assert.deepEqual(
      (await trail(subjectId)).map(([, action]) => action),
      ['requested', 'requested'],
    );
  });

  const signOffs = async (subjectId: string) =>
    (
      await sql<{ level: string; status: string }>`SELECT level, status FROM level_approvals
        WHERE subject_id = ${subjectId} ORDER BY id`.execute(db.db)
    ).rows.map((r) => [r.level, r.status]);
  const flag = async (subjectId: string) =>
    Boolean(
      (
        await sql<{ f: number | boolean }>`SELECT approval_required AS f FROM assignments
          WHERE subject_id = ${subjectId} AND scheme = 'aml-test'`.execute(db.db)
      ).rows[0]?.f,
    );

  it('a metric write that opens the sign-off a waiting re-tier chunk would open: one pending sign-off, not two', async () => {
    const { subjectId, medium } = await pendingMedium('SL4');
    await retierToHigh('SL4', subjectId);
    const held = await holdSubject(subjectId);
    // The write queues for the customer's row first, the chunk (which has read "medium" pending) second.
    const write = aml('SL4', '2025-10', 95);
    await held.waiting(1);
    const errors: string[] = [];
    const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => errors.push(String(err)) });
    await held.waiting(2);
    await held.commit();
    const [w] = await Promise.all([write, drained]);
    assert.equal(w.status, 200, await w.clone().text());
    assert.deepEqual(errors, []);
    // Before the fix the chunk opened the "high" it planned beside the write's: two pending for one scheme.
    assert.deepEqual(await signOffs(subjectId), [
      ['medium', 'superseded'],
      ['high', 'pending'],
    ]);
    const high = await findPendingLevelApproval(db.db, TENANT, subjectId, 'aml-test');
    assert.deepEqual(await trail(subjectId), [
      [medium.id, 'requested'],
      [medium.id, 'superseded'],
      [high?.id, 'requested'],
    ]);
    assert.equal(await flag(subjectId), true);
  });

  it('a sign-off approved while a re-tier chunk that keeps its level waits: the level no longer shows as waiting', async () => {
    const { subjectId, medium } = await pendingMedium('SL5');
    // November's score keeps "medium": the chunk opens nothing, it only carries the stored flag.
    await sql`INSERT INTO metrics (tenant_id, subject_id, metric, period, value)
      VALUES (${TENANT}, ${subjectId}, 'aml_customer_risk', '2025-11', 60)`.execute(db.db);
    const queued = await req(officer, 'POST', '/v1/jobs', {
      kind: 'retier',
      period: '2025-11',
      allowOpenMonth: true,
      filter: { subjects: ['SL5'] },
    });
    assert.equal(queued.status, 201, await queued.clone().text());
    assert.equal(await flag(subjectId), true);
    const held = await holdSubject(subjectId);
    const errors: string[] = [];
    const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => errors.push(String(err)) });
    await held.waiting(1);
    await held.commit(async (trx) => {
      const decided = { status: 'approved', by: 'approver', at: NOW.toISOString(), note: null } as const;
      assert.equal(await decideLevelApproval(trx, TENANT, medium.id, medium.contentHash, decided), true);
      await trx.updateTable('assignments').set({ approval_required: 0 }).where('subject_id', '=', subjectId).execute();
    });
    await drained;
    assert.deepEqual(errors, []);
    assert.deepEqual(await signOffs(subjectId), [['medium', 'approved']]);
    // Before the fix the chunk stored the flag it read before the decision: "waiting" with nothing pending.
    assert.equal(await flag(subjectId), false);
  });

  // A listed job holds its own customers; a job of the whole book holds its chunk's range.
  for (const [id, listed] of [
    ['SL6', true],
    ['SL7', false],
  ] as const)
    it(`a metric write that moves a customer into a level needing sign-off, ahead of a re-tier chunk (${listed ? 'listed' : 'whole book'}): the chunk stores the new level, flagged`, async () => {
      assert.equal((await req(officer, 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' })).status, 201);
      assert.equal((await aml(id, '2025-10', 10)).status, 200);
      const s = await findSubjectByExternalId(db.db, TENANT, id);
      assert.ok(s);
      const subjectId = s.id;
      // November's score is stored low; the write below corrects it (an update: it queues for the row in order).
      await sql`INSERT INTO metrics (tenant_id, subject_id, metric, period, value)
      VALUES (${TENANT}, ${subjectId}, 'aml_customer_risk', '2025-11', 10)`.execute(db.db);
      const queued = await req(officer, 'POST', '/v1/jobs', {
        kind: 'retier',
        period: '2025-11',
        allowOpenMonth: true,
        ...(listed ? { filter: { subjects: [id] } } : {}),
      });
      assert.equal(queued.status, 201, await queued.clone().text());
      const jobId = ((await queued.json()) as JobView).id;
      assert.deepEqual(await signOffs(subjectId), []);
      const held = await holdSubject(subjectId);
      // The write ("medium", which needs a sign-off) queues for the customer's row first, the chunk second.
      const write = aml(id, '2025-11', 60);
      await held.waiting(1);
      const errors: string[] = [];
      const drained = drainJobs({ db: db.db, now: () => NOW, logError: (err: unknown) => errors.push(String(err)) });
      await held.waiting(2);
      await held.commit();
      const [w] = await Promise.all([write, drained]);
      assert.equal(w.status, 200, await w.clone().text());
      assert.deepEqual(errors, []);
      const job = (await (await req(officer, 'GET', `/v1/jobs/${jobId}`)).json()) as JobView;
      assert.equal(job.status, 'completed');
      if (listed) assert.deepEqual(job.progress.subjects, { total: 1, processed: 1, skipped: 0 });
      assert.deepEqual(await signOffs(subjectId), [['medium', 'pending']]);
      const stored = await sql<{ level: string; period: string }>`SELECT level, period FROM assignments
      WHERE subject_id = ${subjectId} AND scheme = 'aml-test'`.execute(db.db);
      // Before the fix the chunk stored "low", worked out from the score it read before the write, and
      // not flagged, beside the write's pending "medium".
      assert.deepEqual(stored.rows, [{ level: 'medium', period: '2025-11' }]);
      assert.equal(await flag(subjectId), true);
    });

  // Rejected rows (no id) fill a batch of 2,000 rows: with them, B and A fall in two batches.
  for (const [batches, filler] of [
    ['one batch', ''],
    ['two batches', `${Array.from({ length: 2100 }, () => ',x,,').join('\n')}\n`],
  ] as const)
    it(`a subjects import that renames B and then closes A (${batches}) takes them in id order: no deadlock against an id-order writer`, async () => {
      // B (the higher id) named first in the file, A (the lower) after it, with a request of A's pending
      // that the closing withdraws.
      const [idA, idB] = batches === 'one batch' ? ['IO1A', 'IO1B'] : ['IO2A', 'IO2B'];
      for (const id of [idA, idB])
        assert.equal((await req(officer, 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' })).status, 201);
      const a = await findSubjectByExternalId(db.db, TENANT, idA);
      const b = await findSubjectByExternalId(db.db, TENANT, idB);
      assert.ok(a && b && a.id < b.id);
      const o = {
        id: `ovr_import_order_${idA}`,
        scheme: 'aml-test',
        level: 'low',
        mode: 'fixed',
        reason: 'x',
        expiresAt: null,
        requestedBy: 'officer',
        approvedBy: null,
      } as const;
      await insertOverride(db.db, TENANT, a.id, o, NOW.toISOString(), { status: 'pending', contentHash: 'h' });
      // A writer of both in id order (a re-tier chunk, a bulk move, a policy's re-evaluation) holds A and will want B.
      let next!: (step: 'lock-b' | 'commit') => void;
      let step = new Promise<'lock-b' | 'commit'>((r) => (next = r));
      let done!: () => void;
      const stepDone = new Promise<void>((r) => (done = r));
      let started!: (pid: number) => void;
      const pid = new Promise<number>((r) => (started = r));
      const writer = db.db.transaction().execute(async (trx) => {
        await sql`SELECT id FROM subjects WHERE id = ${a.id} FOR UPDATE`.execute(trx);
        started(await backendPid(trx));
        for (;;) {
          const s = await step;
          if (s === 'commit') return;
          step = new Promise((r) => (next = r));
          await sql`SELECT id FROM subjects WHERE id = ${b.id} FOR UPDATE`.execute(trx);
          done();
        }
      });
      const writerPid = await pid;
      const imported = app.request('/v1/imports?kind=subjects&mode=valid-rows', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${officer}` },
        body: `id,name,closedAt,closedReason\n${idB},新名字,,\n${filler}${idA},王芳,2025-11-14T00:00:00Z,销户\n`,
      });
      try {
        // The import waits for A and holds nothing yet. Taken in file order it would hold B already (written
        // first, or with the first batch), so the writer's lock of B would deadlock with it and PostgreSQL
        // abort one of the two.
        await blockedBy(db.db, writerPid);
        next('lock-b');
        await Promise.race([stepDone, writer]);
      } finally {
        next('commit');
      }
      await writer;
      const r = await imported;
      assert.equal(r.status, 201, await r.clone().text());
      const record = (await r.json()) as { status: string; written: number; rejectedRows: number };
      assert.deepEqual([record.status, record.written, record.rejectedRows], [filler ? 'partial' : 'succeeded', 2, filler ? 2100 : 0]);
      assert.equal((await findOverride(db.db, TENANT, o.id))?.status, 'withdrawn');
      assert.notEqual((await findSubjectByExternalId(db.db, TENANT, idA))?.closedAt, null);
      assert.equal((await findSubjectByExternalId(db.db, TENANT, idB))?.displayName, '新名字');
    });
});
