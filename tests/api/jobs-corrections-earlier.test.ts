import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  addMonths,
  createApiKey,
  createApp,
  drainJobs,
  loadTenantPack,
  provisionTenant,
  queueMonthlyRetiers,
  waitingLine,
  type MonthlyStatus,
  type ScheduleMonth,
} from '@tierkit/api';
import { NOW, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';

/*
 * Corrections the schedule must not forget or invent (packages/api/README.md, "The monthly schedule"):
 * a correction to a month before the one just ended, a clock that differs between the host that writes
 * and the host that re-tiers, and an import's notice read back after it was made.
 */

interface Retiered {
  period: string;
  job: { id: string; status: string };
  message: string;
}

/** A tenant of its own with an officer's key, and apps whose clocks the test sets apart. */
async function tenant(f: ApiFixture, tenantId: string) {
  await provisionTenant(f.db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
  const officer = (await createApiKey(f.db.db, { tenantId, role: 'officer', label: 'ops', now: NOW })).secret;
  /** One host's clock: an app whose `now` is `at`. */
  const host = (start: string) => {
    const h = {
      at: new Date(start),
      send: (method: string, path: string, body?: unknown, type = 'application/json') =>
        app.request(path, {
          method,
          headers: { 'Content-Type': type, Authorization: `Bearer ${officer}` },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        }),
    };
    const app = createApp({ db: f.db.db, now: () => h.at, logError: () => undefined, schedule: { settleMinutes: 10, overdueDays: 7 } });
    return h;
  };
  return host;
}

async function months(send: (m: string, p: string) => Response | Promise<Response>): Promise<ScheduleMonth[]> {
  const res = await send('GET', '/v1/jobs/schedule');
  assert.equal(res.status, 200);
  return ((await res.json()) as { months: ScheduleMonth[] }).months;
}

forEachDialect('corrections the schedule must not forget or invent', (f: ApiFixture) => {
  it('a correction to an earlier month: re-tiered while no later month was, then left to an operator who is told what to run', async () => {
    const host = await tenant(f, 'bank-p');
    const ops = host('2025-12-01T00:00:00.000Z');
    const drain = () => drainJobs({ db: f.db.db, now: () => ops.at, logError: (e: unknown) => assert.fail(String(e)) });
    const waits: MonthlyStatus[] = [];
    const schedule = async (iso: string, lookBackMonths?: number) => {
      waits.length = 0;
      ops.at = new Date(iso);
      return queueMonthlyRetiers(f.db.db, ops.at, 'Asia/Shanghai', {
        settleMinutes: 10,
        ...(lookBackMonths === undefined ? {} : { lookBackMonths }),
        onWait: (w) => w.tenantId === 'bank-p' && waits.push(w),
      });
    };
    const put = (period: string, value: number) =>
      ops.send('PUT', '/v1/subjects/P1/metrics', { metrics: [{ metric: 'avg_daily_balance', period, value }] });
    assert.equal((await ops.send('PUT', '/v1/subjects/P1', { kind: 'customer', displayName: '彭一' })).status, 201);
    for (const p of ['2025-08', '2025-09', '2025-10']) assert.equal((await put(p, 8_000_000)).status, 200);
    // October was re-tiered by hand; November has no data yet, so the month just ended waits.
    assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-10' })).status, 201);
    await drain();
    const [october] = (await months(ops.send)).slice(1);
    assert.equal(october, undefined, 'no earlier month listed before any correction');

    // A correction to October: no later month re-tiered, so the schedule re-tiers October again once quiet.
    ops.at = new Date('2025-12-01T01:00:00.000Z');
    assert.equal((await put('2025-10', 9_000_000)).status, 200);
    const [now, earlier] = await months(ops.send);
    assert.equal(now?.period, '2025-11');
    assert.deepEqual(
      [earlier?.period, earlier?.state, earlier?.waitingFor, earlier?.quietAt, earlier?.later, earlier?.command],
      ['2025-10', 'stale', 'settling', '2025-12-01T01:11:00.000Z', null, null],
    );
    assert.deepEqual(await schedule('2025-12-01T01:05:00.000Z'), [], 'not before the correction is quiet');
    assert.deepEqual(
      waits.map((w) => [w.period, w.state]),
      [
        ['2025-10', 'stale'],
        ['2025-11', 'waiting-for-data'],
      ],
    );
    assert.deepEqual(await schedule('2025-12-01T01:11:00.000Z', 0), [], 'a look-back of none looks at the month just ended only');
    const [rerun] = await schedule('2025-12-01T01:11:00.000Z');
    assert.ok(rerun, 'October re-run queued');
    const key = await f.db.db.selectFrom('jobs').select(['schedule_key', 'params']).where('id', '=', rerun).executeTakeFirstOrThrow();
    assert.match(key.schedule_key ?? '', /^monthly:2025-10#w\d+$/);
    assert.equal((JSON.parse(key.params) as { period: string }).period, '2025-10');
    await drain();
    assert.deepEqual(await schedule('2025-12-01T02:00:00.000Z'), []);
    assert.deepEqual((await months(ops.send)).slice(1), [], 'the re-run read the correction');

    // November is loaded and re-tiered; then October is corrected again.
    ops.at = new Date('2025-12-02T00:00:00.000Z');
    assert.equal((await put('2025-11', 8_000_000)).status, 200);
    const [november] = await schedule('2025-12-02T00:11:00.000Z');
    assert.ok(november);
    await drain();
    ops.at = new Date('2025-12-02T01:00:00.000Z');
    assert.equal((await put('2025-10', 9_500_000)).status, 200);
    const listed = await months(ops.send);
    assert.equal(listed[0]?.state, 'done', 'November itself read nothing new');
    const decision = listed[1] as ScheduleMonth;
    const window = (await loadTenantPack(f.db.db, 'bank-p')).at('2025-11').compiled.monthsNeeded;
    const reads = '2025-10' >= addMonths('2025-11', -(window - 1));
    assert.deepEqual(
      [decision.period, decision.state, decision.waitingFor, decision.job?.id, decision.later],
      [
        '2025-10',
        'needs-decision',
        'operator',
        rerun,
        { period: '2025-11', job: { id: november, status: 'completed' }, readsCorrections: reads },
      ],
    );
    assert.equal(decision.command, `tierkit retier --period ${reads ? '2025-11' : '2025-10'}`);
    // Never queued, however long it is quiet: an operator decides, and the log line says what to run.
    assert.deepEqual(await schedule('2025-12-03T00:00:00.000Z'), []);
    const said = waits.find((w) => w.period === '2025-10') as MonthlyStatus;
    assert.equal(said.state, 'needs-decision');
    assert.match(waitingLine(said), /bank-p 2025-10 data changed after its re-tier .* 2025-11 was re-tiered since .*an operator decides/);
    assert.ok(waitingLine(said).includes(decision.command ?? '?'));
    // The operator re-tiers November: it read the correction, and October is no longer listed.
    ops.at = new Date('2025-12-03T00:00:00.000Z');
    assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11' })).status, 201);
    await drain();
    const after = await months(ops.send);
    assert.deepEqual(
      after.map((m) => [m.period, m.state]),
      [['2025-11', 'done']],
    );
    assert.deepEqual(await schedule('2025-12-03T01:00:00.000Z'), []);
  });

  it('hosts whose clocks disagree: a write stamped later than a re-tier that read it is no correction; one stamped earlier than a re-tier it followed is', async () => {
    const host = await tenant(f, 'bank-q');
    // The host that loads data runs three hours ahead of the host that re-tiers.
    const ahead = host('2025-12-02T03:00:00.000Z');
    const ops = host('2025-12-02T00:00:00.000Z');
    const drain = () => drainJobs({ db: f.db.db, now: () => ops.at, logError: (e: unknown) => assert.fail(String(e)) });
    const put = (h: typeof ops, value: number) =>
      h.send('PUT', '/v1/subjects/Q1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value }] });
    assert.equal((await ops.send('PUT', '/v1/subjects/Q1', { kind: 'customer', displayName: '秦一' })).status, 201);
    assert.equal(
      (await ops.send('PUT', '/v1/subjects/Q1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }))
        .status,
      200,
    );
    assert.equal((await put(ahead, 8_000_000)).status, 200);
    // Re-tiered half an hour later by the true clock: the job read that data.
    ops.at = new Date('2025-12-02T00:30:00.000Z');
    assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11' })).status, 201);
    await drain();
    const [read] = await months(ops.send);
    assert.deepEqual([read?.state, read?.lastWrittenAt], ['done', '2025-12-02T03:00:00.000Z'], 'stamped later, yet read');

    // A host six hours behind corrects the month afterwards: stamped before the job, yet a correction.
    const behind = host('2025-12-01T19:00:00.000Z');
    ops.at = new Date('2025-12-02T01:00:00.000Z');
    assert.equal((await put(behind, 9_000_000)).status, 200);
    const [stale] = await months(ops.send);
    assert.equal(stale?.state, 'stale');
    // Re-tiered once it is quiet, then done: no month kept stale by the clocks.
    const queued = await queueMonthlyRetiers(f.db.db, new Date('2025-12-02T03:11:00.000Z'), 'Asia/Shanghai', { settleMinutes: 10 });
    assert.equal(queued.length, 1);
    ops.at = new Date('2025-12-02T03:11:00.000Z');
    await drain();
    assert.equal((await months(ops.send))[0]?.state, 'done');
    assert.deepEqual(await queueMonthlyRetiers(f.db.db, new Date('2025-12-02T04:00:00.000Z'), 'Asia/Shanghai', { settleMinutes: 10 }), []);
    // And once more from the host behind, after that re-run: stale again, not lost under an earlier stamp.
    assert.equal((await put(behind, 9_100_000)).status, 200);
    assert.equal((await months(ops.send))[0]?.state, 'stale');
  });

  it('an earlier month whose re-run after corrections was cancelled is listed until someone resumes it, not dropped', async () => {
    const host = await tenant(f, 'bank-t');
    const ops = host('2025-12-01T00:00:00.000Z');
    const drain = () => drainJobs({ db: f.db.db, now: () => ops.at, logError: (e: unknown) => assert.fail(String(e)) });
    const put = (value: number) =>
      ops.send('PUT', '/v1/subjects/T1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value }] });
    assert.equal((await ops.send('PUT', '/v1/subjects/T1', { kind: 'customer', displayName: '唐一' })).status, 201);
    assert.equal((await put(8_000_000)).status, 200);
    assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-10' })).status, 201);
    await drain();
    ops.at = new Date('2025-12-01T01:00:00.000Z');
    assert.equal((await put(9_000_000)).status, 200);
    const [rerun] = await queueMonthlyRetiers(f.db.db, new Date('2025-12-01T01:11:00.000Z'), 'Asia/Shanghai', { settleMinutes: 10 });
    assert.ok(rerun, 'October re-run queued');
    ops.at = new Date('2025-12-01T01:12:00.000Z');
    assert.equal((await ops.send('POST', `/v1/jobs/${rerun}/cancel`)).status, 200);
    const [, october] = await months(ops.send);
    assert.deepEqual(
      [october?.period, october?.state, october?.waitingFor, october?.job],
      ['2025-10', 'job-cancelled', 'job', { id: rerun, status: 'cancelled' }],
      'the corrections are still unread: said, not dropped',
    );
    const waits: MonthlyStatus[] = [];
    assert.deepEqual(
      await queueMonthlyRetiers(f.db.db, new Date('2025-12-01T02:00:00.000Z'), 'Asia/Shanghai', {
        settleMinutes: 10,
        onWait: (w) => w.tenantId === 'bank-t' && waits.push(w),
      }),
      [],
      'nothing queues it again by itself',
    );
    const said = waits.find((w) => w.period === '2025-10') as MonthlyStatus;
    assert.match(waitingLine(said), new RegExp(`re-tier ${rerun} cancelled.*tierkit jobs resume ${rerun}`));
    assert.equal((await ops.send('POST', `/v1/jobs/${rerun}/resume`)).status, 200);
    await drain();
    assert.deepEqual((await months(ops.send)).slice(1), [], 'resumed and read: no longer listed');

    // Cancelled again after more corrections, then November is re-tiered: that ends it, as for a month re-run.
    ops.at = new Date('2025-12-02T00:00:00.000Z');
    assert.equal((await put(9_500_000)).status, 200);
    const [again] = await queueMonthlyRetiers(f.db.db, new Date('2025-12-02T00:11:00.000Z'), 'Asia/Shanghai', { settleMinutes: 10 });
    assert.ok(again);
    assert.equal((await ops.send('POST', `/v1/jobs/${again}/cancel`)).status, 200);
    assert.equal((await months(ops.send))[1]?.state, 'job-cancelled');
    assert.equal(
      (await ops.send('PUT', '/v1/subjects/T1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 1 }] }))
        .status,
      200,
    );
    assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11' })).status, 201);
    await drain();
    assert.deepEqual((await months(ops.send)).slice(1), [], 'a later re-tier queued after the cancelled re-run ends it');
  });

  it('a correction past the look-back, with a later month re-tiered since: the import does not send the operator to a schedule that does not list it', async () => {
    const host = await tenant(f, 'bank-s');
    const ops = host('2025-12-02T00:00:00.000Z');
    const drain = () => drainJobs({ db: f.db.db, now: () => ops.at, logError: (e: unknown) => assert.fail(String(e)) });
    assert.equal((await ops.send('PUT', '/v1/subjects/S1', { kind: 'customer', displayName: '史一' })).status, 201);
    const metrics = ['2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 }));
    assert.equal((await ops.send('PUT', '/v1/subjects/S1/metrics', { metrics })).status, 200);
    for (const period of ['2025-10', '2025-11']) {
      assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period })).status, 201);
      await drain();
    }
    // A year on, the bank re-states October 2025: thirteen months before the month just ended.
    ops.at = new Date('2026-12-02T00:00:00.000Z');
    const res = await ops.send(
      'POST',
      '/v1/imports?kind=metrics&amounts=fen',
      'subject,metric,period,value\nS1,avg_daily_balance,2025-10,100\n',
      'text/csv',
    );
    assert.equal(res.status, 201);
    const [october] = ((await res.json()) as { retiered: Retiered[] }).retiered;
    assert.equal(october?.period, '2025-10');
    assert.deepEqual(
      (await months(ops.send)).slice(1).map((m) => m.period),
      [],
      'past the look-back: the schedule lists nothing for October',
    );
    assert.doesNotMatch(october?.message ?? '', /tierkit jobs schedule/, 'not sent to a list without it');
    assert.match(october?.message ?? '', /2025-11 was re-tiered since.*look-back.*tierkit retier --period 2025-11/);
  });

  it('GET /v1/imports/{id} and the list carry the re-tier notice the POST answer gave', async () => {
    const host = await tenant(f, 'bank-r');
    const ops = host('2025-12-02T00:00:00.000Z');
    assert.equal((await ops.send('PUT', '/v1/subjects/R1', { kind: 'customer', displayName: '任一' })).status, 201);
    const metrics = ['2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 }));
    assert.equal((await ops.send('PUT', '/v1/subjects/R1/metrics', { metrics })).status, 200);
    assert.equal((await ops.send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11' })).status, 201);
    await drainJobs({ db: f.db.db, now: () => ops.at, logError: (e: unknown) => assert.fail(String(e)) });
    ops.at = new Date('2025-12-02T02:00:00.000Z');
    const res = await ops.send(
      'POST',
      '/v1/imports?kind=metrics&amounts=fen',
      'subject,metric,period,value\nR1,avg_daily_balance,2025-11,100\n',
      'text/csv',
    );
    assert.equal(res.status, 201);
    const posted = (await res.json()) as { id: string; retiered: Retiered[] };
    assert.deepEqual(
      posted.retiered.map((m) => m.period),
      ['2025-11'],
    );
    const got = await ops.send('GET', `/v1/imports/${posted.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(((await got.json()) as { retiered: Retiered[] }).retiered, posted.retiered);
    // Still the same once the schedule has re-run the month: the notice is the import's, as it ended.
    assert.equal(
      (await queueMonthlyRetiers(f.db.db, new Date('2025-12-02T02:11:00.000Z'), 'Asia/Shanghai', { settleMinutes: 10 })).length,
      1,
    );
    const list = (await (await ops.send('GET', '/v1/imports')).json()) as { items: { id: string; retiered: Retiered[] }[] };
    assert.deepEqual(list.items.find((i) => i.id === posted.id)?.retiered, posted.retiered);
    const again = (await (await ops.send('GET', `/v1/imports/${posted.id}`)).json()) as { retiered: Retiered[] };
    assert.deepEqual(again.retiered, posted.retiered);
  });
});
