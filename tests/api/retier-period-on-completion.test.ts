import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs, enqueueRetier, TenantPacks, workOnce, type JobView, type WorkerOptions } from '@tierkit/api';
import { claimChunk, findSubjectByExternalId, insertMetrics, insertPolicies, latestRetierPeriod, type Executor } from '@tierkit/db';
import { sql } from 'kysely';
import { client, forEachDialect, NOW, type As } from '../support/api-fixture.js';

/*
 * The call lists (`GET /v1/subjects?change=`) read the month of the scheme's latest month-end re-tier,
 * and that month moves when the job is whole (packages/api/README.md, "Staff and books"): while it runs
 * chunk by chunk, after it was cancelled or failed, an RM's 升级/降级 lists are last month's, not this
 * month's with only the customers re-tiered so far. Whichever worker completes the job moves it, once:
 * two PostgreSQL workers finishing its last chunks at the same moment included.
 *
 * The lists read each customer's current level: one the job has re-tiered already is at the new month
 * and is on last month's list no more. So here the customers who moved last month are re-tiered last
 * (K1, created first, is the first chunk): what is checked is which month the lists read.
 */

const months = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}`);

forEachDialect('call lists: the month moves when the month-end re-tier completes', (f) => {
  const lists = (as: As) => async () => {
    const ids = async (change: string) => {
      const res = await client(f, as).get(`/v1/subjects?scheme=retail-tier&change=${change}`);
      const body = (await res.json()) as { items: { id: string }[] };
      assert.equal(res.status, 200, JSON.stringify(body));
      return body.items.map((s) => s.id).join(',');
    };
    return `down: ${await ids('down')}; up: ${await ids('up')}`;
  };
  const listsA = lists('a');
  const worker = (over: Partial<WorkerOptions> = {}): WorkerOptions => ({
    db: f.db.db,
    now: () => NOW,
    logError: (err: unknown) => assert.fail(String(err)),
    ...over,
  });
  const job = async (tenant: 'a' | 'b', id: string) => {
    const res = await client(f, tenant).get(`/v1/jobs/${id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as JobView;
  };
  /** A month's balances (yuan) loaded as a warehouse loads them: stored, evaluated by no one until a re-tier. */
  const load = async (tenantId: string, period: string, yuan: Record<string, number>) => {
    for (const [externalId, value] of Object.entries(yuan)) {
      const subject = await findSubjectByExternalId(f.db.db, tenantId, externalId);
      assert.ok(subject);
      await insertMetrics(
        f.db.db,
        [{ tenant_id: tenantId, subject_id: subject.id, metric: 'avg_daily_balance', period, value: value * 100 }],
        NOW.toISOString(),
      );
    }
  };
  const monthEnd = async (tenantId: string, period: string) => {
    const queued = await enqueueRetier(f.db.db, { tenantId, period, now: NOW, chunkSubjects: 1 });
    assert.ok(queued);
    assert.equal(queued.progress.chunks.total, 3, 'one chunk per customer');
    return queued.id;
  };

  /**
   * D1 and D2 platinum, then below its line from 2025-07 (a downgrade waits three months: they fall
   * at 2025-09); K1 gold all along. Evaluated by their writes up to 2025-07, then a month-end job for
   * 2025-08 (nobody moves: D1 and D2 in grace) — the month the lists read.
   */
  const book = async (tenant: 'a' | 'b', tenantId: string) => {
    const api = client(f, tenant);
    // In this order: chunks follow the internal ids, drawn in creation order.
    for (const id of ['K1', 'D1', 'D2']) await api.customer(id, '陶怡');
    for (const p of months(4, 7)) {
      for (const id of ['D1', 'D2']) assert.equal((await api.balances(id, [[p, p < '2025-07' ? 400_000 : 0]])).status, 200);
      assert.equal((await api.balances('K1', [[p, 50_000]])).status, 200);
    }
    for (const p of months(8, 9)) await load(tenantId, p, { D1: 0, D2: 0, K1: 50_000 });
    await monthEnd(tenantId, '2025-08');
    await drainJobs(worker());
    assert.equal(await lists(tenant)(), 'down: ; up: ', '2025-08: nobody moved');
  };

  before(async () => {
    await book('a', 'bank-a');
    await book('b', 'bank-b');
  });

  it('keeps last month’s lists while the job runs, a chunk’s dead worker taken over, and moves them when it completes', async () => {
    const id = await monthEnd('bank-a', '2025-09');
    // A worker killed mid-chunk (its lease already run out): its chunk is taken over, and the job still
    // moves the month only when it completes.
    assert.ok(await claimChunk(f.db.db, 'killed-worker', NOW.toISOString(), new Date(NOW.getTime() - 1000).toISOString()));
    for (const done of [1, 2]) {
      assert.equal(await workOnce(worker({ logWarn: () => undefined })), true);
      assert.equal((await job('a', id)).progress.chunks.done, done);
      assert.equal(await listsA(), 'down: ; up: ', `2025-08's lists with ${done} of 3 chunks re-tiered at 2025-09`);
    }
    // The last chunk: on SQLite by the pipelined writer (drainJobs on a file), on PostgreSQL chunk by chunk.
    await drainJobs(worker());
    assert.equal((await job('a', id)).status, 'completed');
    assert.equal(await listsA(), 'down: D1,D2; up: ', '2025-09 whole');
  });

  it('a cancelled job leaves the month; resumed to completion, it moves it', async () => {
    await load('bank-a', '2025-10', { D1: 0, D2: 400_000, K1: 50_000 });
    const id = await monthEnd('bank-a', '2025-10');
    assert.equal(await workOnce(worker()), true);
    const api = client(f);
    assert.equal((await api.post(`/v1/jobs/${id}/cancel`, {})).status, 200);
    assert.equal(await listsA(), 'down: D1,D2; up: ', '2025-09’s lists: 2025-10 was cancelled a third through');
    assert.equal((await api.post(`/v1/jobs/${id}/resume`, {})).status, 200);
    assert.equal(await drainJobs(worker()), 2, 'the chunks left');
    assert.equal((await job('a', id)).status, 'completed');
    assert.equal(await listsA(), 'down: ; up: D2', '2025-10 whole');
  });

  it('a failed job leaves the month; resumed to completion, it moves it, and an earlier month completing after never moves it back', async () => {
    await load('bank-a', '2025-11', { D1: 0, D2: 0, K1: 50_000 });
    const id = await monthEnd('bank-a', '2025-11');
    assert.equal(await workOnce(worker()), true);
    // Its stored parameters no longer read (as tests/api/worker-failure-line.test.ts does): every claim of
    // its next chunk fails, and the fourth fails the job.
    const { params } = await f.db.db.selectFrom('jobs').select('params').where('id', '=', id).executeTakeFirstOrThrow();
    await sql`UPDATE jobs SET params = '{' WHERE id = ${id}`.execute(f.db.db);
    const failures: unknown[] = [];
    for (let i = 0; i < 4; i++) assert.equal(await workOnce(worker({ logError: (e) => failures.push(e) })), true);
    assert.equal(failures.length, 3);
    // Read as stored: the job's view would read its parameters too.
    const failed = await f.db.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(failed.status, 'failed');
    assert.equal(await listsA(), 'down: ; up: D2', '2025-10’s lists: 2025-11 failed a third through');

    await sql`UPDATE jobs SET params = ${params} WHERE id = ${id}`.execute(f.db.db);
    assert.equal((await client(f).post(`/v1/jobs/${id}/resume`, {})).status, 200);
    assert.equal(await drainJobs(worker()), 2);
    assert.equal((await job('a', id)).status, 'completed');
    assert.equal(await listsA(), 'down: ; up: ', '2025-11 whole: nobody moved');
    assert.equal(await latestRetierPeriod(f.db.db, 'bank-a', 'retail-tier'), '2025-11');

    // A re-run of 2025-10 completing now (every customer evaluated later already) leaves 2025-11.
    await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW });
    await drainJobs(worker());
    assert.equal(await latestRetierPeriod(f.db.db, 'bank-a', 'retail-tier'), '2025-11');
  });

  it('two PostgreSQL workers finishing the last two chunks at once: the job completes, and its completion marks the month', async (t) => {
    if (f.db.dialect !== 'postgres') return t.skip('several workers claim one job’s chunks on PostgreSQL only');
    const listsB = lists('b');
    const id = await monthEnd('bank-b', '2025-09');
    assert.equal(await workOnce(worker()), true);
    assert.equal(await listsB(), 'down: ; up: ', '2025-08’s lists with a third re-tiered');
    // Each worker claims its chunk, then waits for the other before either writes: their transactions
    // commit at the same moment, and each then tries to complete the job.
    let waiting = 2;
    let go: () => void = () => undefined;
    const together = new Promise<void>((resolve) => {
      go = resolve;
    });
    class Together extends TenantPacks {
      override async get(db: Executor, tenantId: string, period?: string) {
        if (waiting > 0 && --waiting === 0) go();
        await together;
        return super.get(db, tenantId, period);
      }
    }
    const packs = new Together();
    const clocks = ['2025-11-15T04:00:01.000Z', '2025-11-15T04:00:02.000Z'];
    const committed: string[] = [];
    await Promise.all(
      clocks.map((at, i) => workOnce(worker({ now: () => new Date(at), onChunk: () => committed.push(`w${i}`) }), packs, `w${i}`)),
    );
    assert.deepEqual(committed.sort(), ['w0', 'w1'], 'each worker committed one chunk');
    const done = await job('b', id);
    assert.deepEqual([done.status, done.progress.chunks.done], ['completed', 3]);
    const marked = await f.db.db
      .selectFrom('retier_periods')
      .select(['period', 'updated_at'])
      .where('tenant_id', '=', 'bank-b')
      .where('scheme', '=', 'retail-tier')
      .executeTakeFirstOrThrow();
    assert.deepEqual(marked, { period: '2025-09', updated_at: done.finishedAt }, 'marked by the transaction that completed the job');
    assert.equal(await listsB(), 'down: D1,D2; up: ', '2025-09 whole');
  });

  it('a job for the whole of one scheme moves its month (the kind enqueueRetier adds is no narrowing); one naming customers does not', async () => {
    // After the test above on PostgreSQL: bank-b's month is 2025-09 there, 2025-08 on SQLite.
    const before = await latestRetierPeriod(f.db.db, 'bank-b', 'retail-tier');
    await load('bank-b', '2025-10', { D1: 0, D2: 0, K1: 50_000 });
    const some = await enqueueRetier(f.db.db, { tenantId: 'bank-b', period: '2025-10', now: NOW, filter: { subjects: ['K1'] } });
    assert.ok(some);
    await drainJobs(worker());
    assert.equal((await job('b', some.id)).status, 'completed');
    assert.equal(await latestRetierPeriod(f.db.db, 'bank-b', 'retail-tier'), before, 'one customer is not the month');

    const whole = await enqueueRetier(f.db.db, { tenantId: 'bank-b', schemes: ['retail-tier'], period: '2025-10', now: NOW });
    assert.ok(whole);
    assert.equal(whole.params.filter?.kind, 'customer', 'the schemes named are all of one kind: the job is that kind’s');
    await drainJobs(worker());
    assert.equal((await job('b', whole.id)).status, 'completed');
    assert.equal(await latestRetierPeriod(f.db.db, 'bank-b', 'retail-tier'), '2025-10');
  });

  /** The month kept for each of the tenant's schemes, as stored (no fallback to its assignments). */
  const kept = async (tenantId: string) => {
    const rows = await f.db.db
      .selectFrom('retier_periods')
      .select(['scheme', 'period'])
      .where('tenant_id', '=', tenantId)
      .orderBy('scheme')
      .execute();
    return rows.map((r) => `${r.scheme}@${r.period}`).join(',');
  };
  /** A job whose last chunk committed but whose completion was lost (the worker killed right after), the month unmarked. */
  const completionLost = async (tenantId: string, id: string) => {
    await sql`UPDATE jobs SET status = 'running', finished_at = NULL WHERE id = ${id}`.execute(f.db.db);
    await sql`DELETE FROM retier_periods WHERE tenant_id = ${tenantId}`.execute(f.db.db);
  };

  it('a job whose completion throws holds back no other tenant’s: the idle worker completes and marks the rest, and logs it', async () => {
    const a = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-10', now: NOW });
    const b = await enqueueRetier(f.db.db, { tenantId: 'bank-b', period: '2025-10', now: NOW });
    assert.ok(a && b);
    await drainJobs(worker());
    await completionLost('bank-a', a.id);
    await completionLost('bank-b', b.id);
    // bank-a's parameters no longer read (as tests/api/worker-failure-line.test.ts does): its month cannot be marked.
    await sql`UPDATE jobs SET params = '{' WHERE id = ${a.id}`.execute(f.db.db);
    const status = async (id: string) =>
      (await f.db.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

    // By a worker claiming chunk by chunk, then (on SQLite, a file) by the pipelined writer.
    for (const idle of [(o: WorkerOptions) => workOnce(o), (o: WorkerOptions) => drainJobs(o)]) {
      const logged: string[] = [];
      await idle(worker({ logError: (e) => logged.push(String(e)) }));
      assert.equal(await status(b.id), 'completed');
      assert.equal(await kept('bank-b'), 'aml-test@2025-10,retail-tier@2025-10,risk-value-test@2025-10', 'bank-b’s month moved');
      assert.equal(await status(a.id), 'running', 'left for the next poll, not rolled into every other job');
      assert.equal(await kept('bank-a'), '');
      assert.equal(logged.length, 1, logged.join('\n'));
      assert.match(logged[0] ?? '', new RegExp(`job ${a.id}: all its chunks are done, but marking it completed failed`));
      await completionLost('bank-b', b.id);
    }
    // Polled again and again by one worker (one logger for its life), it is said once, not once a poll.
    const once: string[] = [];
    const sayOnce = (e: unknown) => void once.push(String(e));
    for (let i = 0; i < 3; i++) assert.equal(await workOnce(worker({ logError: sayOnce })), false);
    assert.equal(once.length, 1, once.join('\n'));
    assert.equal(await status(a.id), 'running');
    // Its parameters read again (the same as bank-b's job's), it completes on the next poll and moves its month.
    const { params } = await f.db.db.selectFrom('jobs').select('params').where('id', '=', b.id).executeTakeFirstOrThrow();
    await sql`UPDATE jobs SET params = ${params} WHERE id = ${a.id}`.execute(f.db.db);
    assert.equal(await workOnce(worker()), false);
    assert.deepEqual([await status(a.id), await status(b.id)], ['completed', 'completed']);
    assert.equal(await kept('bank-a'), 'aml-test@2025-10,retail-tier@2025-10,risk-value-test@2025-10');
  });

  it('a scheme named but not in force at the job’s month is not marked: no chunk evaluated it there', async () => {
    // A scheme whose first version takes effect in 2025-11: in today's pack, which the job's names are checked against.
    const old = await f.db.db
      .selectFrom('policies')
      .select(['document', 'position'])
      .where('tenant_id', '=', 'bank-b')
      .where('scheme', '=', 'retail-tier')
      .executeTakeFirstOrThrow();
    const { max } = await f.db.db
      .selectFrom('policies')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('tenant_id', '=', 'bank-b')
      .executeTakeFirstOrThrow();
    const document = JSON.parse(old.document);
    document.key = 'retail-tier-next';
    document.policy.id = 'retail-tier-next';
    await insertPolicies(f.db.db, 'bank-b', [
      {
        id: 'retail-tier-next-v1',
        scheme: 'retail-tier-next',
        version: 1,
        position: Number(max) + 1,
        status: 'active',
        document,
        effectiveFrom: '2025-11-01',
        now: NOW.toISOString(),
      },
    ]);
    // Approved here (a version the tenant came with counts from the beginning), in force from 2025-11.
    await sql`UPDATE policies SET decided_at = ${NOW.toISOString()}, decided_by = 'approver' WHERE id = 'retail-tier-next-v1'`.execute(
      f.db.db,
    );
    await sql`DELETE FROM retier_periods WHERE tenant_id = 'bank-b'`.execute(f.db.db);
    const queued = await enqueueRetier(f.db.db, {
      tenantId: 'bank-b',
      schemes: ['retail-tier', 'retail-tier-next'],
      period: '2025-10',
      now: NOW,
    });
    assert.ok(queued);
    await drainJobs(worker());
    assert.equal((await job('b', queued.id)).status, 'completed');
    // retail-tier and its dependents marked; retail-tier-next has no 2025-10.
    assert.equal(await kept('bank-b'), 'aml-test@2025-10,retail-tier@2025-10,risk-value-test@2025-10');
  });
});
