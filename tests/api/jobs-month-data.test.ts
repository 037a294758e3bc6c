import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  createApp,
  drainJobs,
  loadTenantPack,
  monthLoad,
  monthlySchedule,
  provisionTenant,
  queueMonthlyRetiers,
  waitingLine,
  type MonthlyStatus,
  type ScheduleMonth,
} from '@tierkit/api';
import { createApiKey } from '@tierkit/api';
import { createImport } from '@tierkit/db';
import { NOW, authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';

/*
 * A month is re-tiered only once its data is in. `POST /v1/jobs` (and `tierkit retier`) refuse a
 * month the tenant has no metrics for, with a 422 naming it and nothing queued; the monthly schedule
 * waits until the month has data and no new metrics for it have arrived for the settle time — a
 * warehouse loading a month a few days late, or in several files, is not evaluated half-way.
 */

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** Where the month stands as the schedule sees it (`monthlySchedule`, the path it queues by): when its data settles. */
async function settlesAt(f: ApiFixture, tenantId: string, now: Date): Promise<{ lastWrittenAt: string | null; quietAt: string | null }> {
  const m: ScheduleMonth = await monthlySchedule(f.db.db, tenantId, now, 'Asia/Shanghai', { settleMinutes: 10 });
  return { lastWrittenAt: m.lastWrittenAt, quietAt: m.quietAt };
}

async function jobCount(f: ApiFixture, tenantId: string): Promise<number> {
  const row = await f.db.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A tenant of its own with an officer's key, and an app whose clock the test moves (`clock.at`). */
async function clockedTenant(f: ApiFixture, tenantId: string, start: string) {
  await provisionTenant(f.db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
  const officer = (await createApiKey(f.db.db, { tenantId, role: 'officer', label: 'ops', now: NOW })).secret;
  const clock = {
    at: new Date(start),
    send: (method: string, path: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${officer}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
  const app = createApp({ db: f.db.db, now: () => clock.at, logError: () => undefined, schedule: { settleMinutes: 10, overdueDays: 7 } });
  return clock;
}

forEachDialect('re-tiering a month only once its data is in', (f: ApiFixture) => {
  it('POST /v1/jobs refuses a month with no metrics (of the schemes asked for) with a 422 naming it, and queues nothing', async () => {
    const api = client(f);
    await api.customer('D1');
    assert.equal(
      (
        await api.balances('D1', [
          ['2025-08', 80_000],
          ['2025-09', 80_000],
          ['2025-10', 80_000],
        ])
      ).status,
      200,
    );
    const before = await jobCount(f, 'bank-a');

    const refuse = async (body: Record<string, unknown>, as: 'a' | 'b' = 'a') => {
      const res = await client(f, as).post('/v1/jobs', { kind: 'retier', allowOpenMonth: true, ...body });
      assert.equal(res.status, 422, await res.clone().text());
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
      return (await res.json()) as Problem;
    };
    const november = await refuse({ period: '2025-11' });
    assert.equal(november.type, 'https://tierkit.dev/problems/period-without-data');
    assert.match(november.detail, /^No data for 2025-11 has been loaded \(none of avg_daily_balance, household_income\)/);
    assert.deepEqual(november.errors, [
      {
        path: 'period',
        message: 'no data for 2025-11',
        code: 'no_data',
        params: { month: '2025-11', metrics: ['avg_daily_balance', 'household_income'] },
      },
    ]);
    // October has balances but no AML score: the AML scheme alone has nothing to go on.
    assert.match((await refuse({ period: '2025-10', schemes: ['aml-test'] })).detail, /^No data for 2025-10 for aml-test has been loaded/);
    // A metric no scheme reads (lounge visits count against a quota) does not make a month loaded.
    assert.equal(
      (await api.put('/v1/subjects/D1/metrics', { metrics: [{ metric: 'lounge_visits', period: '2025-11', value: 2 }] })).status,
      200,
    );
    await refuse({ period: '2025-11' });
    // Another bank's data is not this one's.
    await refuse({ period: '2025-10' }, 'b');
    assert.equal(await jobCount(f, 'bank-a'), before, 'nothing queued');
    assert.equal(await jobCount(f, 'bank-b'), 0);

    // The balances are there for October: the card tiers (and the whole book) may be re-tiered.
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['retail-tier'] })).status, 201);
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10' })).status, 201);
    // The nine-box reads the AML score and the card tier: the balances are data for it.
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['risk-value-test'] })).status, 201);
    // The AML scheme reads the latest score however old: September's is data for October.
    assert.equal(
      (await api.put('/v1/subjects/D1/metrics', { metrics: [{ metric: 'aml_customer_risk', period: '2025-09', value: 90 }] })).status,
      200,
    );
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', schemes: ['aml-test'] })).status, 201);

    // A month loaded by a CSV import counts as well.
    const csv = 'subject,metric,period,value\nD1,avg_daily_balance,2025-11,9000000\n';
    const imported = await f.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: csv,
    });
    assert.equal(imported.status, 201, await imported.text());
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true })).status, 201);
    await drainJobs({ db: f.db.db, now: () => NOW, logError: (e: unknown) => assert.fail(String(e)) });
  });

  it('the monthly schedule waits for the month’s data, then for it to be quiet, and says why it waits', async () => {
    await provisionTenant(f.db.db, { id: 'bank-s', name: 'bank-s', pack: testPack(), now: NOW });
    const officer = (await createApiKey(f.db.db, { tenantId: 'bank-s', role: 'officer', label: 'ops', now: NOW })).secret;
    let at = new Date('2025-11-20T02:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => at, logError: () => undefined });
    const put = async (path: string, body: unknown) => {
      const res = await app.request(path, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${officer}` },
        body: JSON.stringify(body),
      });
      assert.ok(res.status < 300, await res.text());
    };
    const waits: MonthlyStatus[] = [];
    const schedule = async (iso: string, settleMinutes?: number) => {
      waits.length = 0;
      await queueMonthlyRetiers(f.db.db, new Date(iso), 'Asia/Shanghai', {
        ...(settleMinutes === undefined ? {} : { settleMinutes }),
        onWait: (w) => {
          if (w.tenantId === 'bank-s') waits.push(w);
        },
      });
      const row = await f.db.db
        .selectFrom('jobs')
        .select(['id', 'schedule_key'])
        .where('tenant_id', '=', 'bank-s')
        .where('schedule_key', '=', 'monthly:2025-11')
        .executeTakeFirst();
      return row?.id;
    };
    await put('/v1/subjects/SC1', { kind: 'customer', displayName: '李娜' });
    await put('/v1/subjects/SC1/metrics', {
      metrics: ['2025-08', '2025-09', '2025-10'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 })),
    });

    // 1 December, 01:00 in Shanghai: November has ended, but none of its data has come.
    assert.equal(await schedule('2025-11-30T17:00:00.000Z'), undefined);
    assert.deepEqual(waits, [
      {
        tenantId: 'bank-s',
        period: '2025-11',
        state: 'waiting-for-data',
        loaded: [],
        missing: ['avg_daily_balance', 'household_income'],
        overdue: false,
      },
    ]);
    assert.match(waitingLine(waits[0] as MonthlyStatus), /bank-s 2025-11 waits: no metrics for 2025-11 loaded yet/);

    // The bank's feed writes November at 10:00 and again at 10:30 (Shanghai): the load is under way.
    at = new Date('2025-12-01T02:00:00.000Z');
    await put('/v1/subjects/SC1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 8_000_000 }] });
    assert.equal(await schedule('2025-12-01T02:20:00.000Z'), undefined);
    assert.deepEqual(waits, [
      {
        tenantId: 'bank-s',
        period: '2025-11',
        state: 'settling',
        lastWrittenAt: '2025-12-01T02:00:00.000Z',
        // An hour of quiet (the default), and the minute a write's record may lag it.
        quietAt: '2025-12-01T03:01:00.000Z',
        overdue: false,
      },
    ]);
    at = new Date('2025-12-01T02:30:00.000Z');
    await put('/v1/subjects/SC1/metrics', { metrics: [{ metric: 'household_income', period: '2025-11', value: 1_000_000 }] });
    assert.equal(await schedule('2025-12-01T03:15:00.000Z'), undefined, 'the second write started the hour again');
    assert.equal(waits[0]?.state === 'settling' ? waits[0].quietAt : undefined, '2025-12-01T03:31:00.000Z');
    assert.match(
      waitingLine(waits[0] as MonthlyStatus),
      /still arriving \(last written 2025-12-01T02:30:00.000Z\).*queued at 2025-12-01T03:31:00.000Z/,
    );

    // Quiet for an hour: November is queued, once.
    const id = await schedule('2025-12-01T03:31:00.000Z');
    assert.ok(id, 'queued once the month has been quiet');
    assert.deepEqual(waits, []);
    assert.equal(await schedule('2025-12-01T04:00:00.000Z'), id);
  });

  it('a shorter settle time queues sooner; an import that changes nothing does not start the wait again', async () => {
    await provisionTenant(f.db.db, { id: 'bank-t', name: 'bank-t', pack: testPack(), now: NOW });
    const officer = (await createApiKey(f.db.db, { tenantId: 'bank-t', role: 'officer', label: 'ops', now: NOW })).secret;
    let at = new Date('2025-12-01T02:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => at, logError: () => undefined });
    const request = (method: string, path: string, body: string, type = 'application/json') =>
      app.request(path, { method, headers: { 'Content-Type': type, Authorization: `Bearer ${officer}` }, body });
    assert.equal((await request('PUT', '/v1/subjects/T1', JSON.stringify({ kind: 'customer', displayName: '周杰' }))).status, 201);
    const csv = 'subject,metric,period,value\nT1,avg_daily_balance,2025-11,9000000\n';
    assert.equal((await request('POST', '/v1/imports?kind=metrics&amounts=fen', csv, 'text/csv')).status, 201);
    const settles = () => settlesAt(f, 'bank-t', at);
    assert.deepEqual(await settles(), { lastWrittenAt: '2025-12-01T02:00:00.000Z', quietAt: '2025-12-01T02:11:00.000Z' });
    // The same file again an hour later writes nothing, so the month has stayed quiet since 02:00.
    at = new Date('2025-12-01T03:00:00.000Z');
    assert.equal((await request('POST', '/v1/imports?kind=metrics&amounts=fen', csv, 'text/csv')).status, 201);
    assert.deepEqual(await settles(), { lastWrittenAt: '2025-12-01T02:00:00.000Z', quietAt: '2025-12-01T02:11:00.000Z' });
    await queueMonthlyRetiers(f.db.db, new Date('2025-12-01T02:11:00.000Z'), 'Asia/Shanghai', { settleMinutes: 10 });
    const queued = await f.db.db.selectFrom('jobs').select('schedule_key').where('tenant_id', '=', 'bank-t').executeTakeFirst();
    assert.equal(queued?.schedule_key, 'monthly:2025-11');
  });

  it('the schedule waits for the data the schemes read by month, for an import still running, and a value sent again unchanged is no new data', async () => {
    await provisionTenant(f.db.db, { id: 'bank-u', name: 'bank-u', pack: testPack(), now: NOW });
    const officer = (await createApiKey(f.db.db, { tenantId: 'bank-u', role: 'officer', label: 'ops', now: NOW })).secret;
    let at = new Date('2025-12-01T02:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => at, logError: () => undefined });
    const put = (path: string, body: unknown) =>
      app.request(path, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${officer}` },
        body: JSON.stringify(body),
      });
    const observe = (metric: string, value: number) => put('/v1/subjects/S1/metrics', { metrics: [{ metric, period: '2025-11', value }] });
    assert.equal((await put('/v1/subjects/S1', { kind: 'customer', displayName: '周杰' })).status, 201);
    const waits: MonthlyStatus[] = [];
    const look = async (iso: string) => {
      waits.length = 0;
      await queueMonthlyRetiers(f.db.db, new Date(iso), 'Asia/Shanghai', {
        settleMinutes: 10,
        onWait: (w) => w.tenantId === 'bank-u' && waits.push(w),
      });
      return waits.map((w) => w.state);
    };
    // November's AML score and lounge visits arrive ahead of its balances: the month is not loaded.
    assert.equal((await observe('aml_customer_risk', 30)).status, 200);
    assert.equal((await observe('lounge_visits', 1)).status, 200);
    assert.deepEqual(await look('2025-12-01T04:00:00.000Z'), ['waiting-for-data']);
    // The balances come; an import of the rest is still running (its rows are not visible yet).
    at = new Date('2025-12-01T04:00:00.000Z');
    assert.equal((await observe('avg_daily_balance', 9_000_000)).status, 200);
    await createImport(f.db.db, {
      id: 'IMP-RUNNING',
      tenantId: 'bank-u',
      kind: 'metrics',
      options: {},
      fileName: 'november.csv',
      createdBy: 'key:ops',
      createdAt: '2025-12-01T04:05:00.000Z',
    });
    assert.deepEqual(await look('2025-12-01T05:00:00.000Z'), ['import-running']);
    await f.db.db
      .updateTable('imports')
      .set({ status: 'failed', finished_at: '2025-12-01T05:10:00.000Z' })
      .where('id', '=', 'IMP-RUNNING')
      .execute();
    // The nightly feed sends November's balance again, unchanged: the month has been quiet since 04:00.
    at = new Date('2025-12-01T05:20:00.000Z');
    assert.equal((await observe('avg_daily_balance', 9_000_000)).status, 200);
    assert.deepEqual(await settlesAt(f, 'bank-u', at), {
      lastWrittenAt: '2025-12-01T04:00:00.000Z',
      quietAt: '2025-12-01T04:11:00.000Z',
    });
    assert.deepEqual(await look('2025-12-01T05:30:00.000Z'), []);
    const queued = await f.db.db.selectFrom('jobs').select('schedule_key').where('tenant_id', '=', 'bank-u').execute();
    assert.deepEqual(
      queued.map((j) => j.schedule_key),
      ['monthly:2025-11'],
    );
  });
  it('a month partly loaded waits for the metrics loaded every month, says so on GET /v1/jobs/schedule (overdue after the days set); a job started by hand is queued and names them', async () => {
    await provisionTenant(f.db.db, { id: 'bank-p', name: 'bank-p', pack: testPack(), now: NOW });
    const officer = (await createApiKey(f.db.db, { tenantId: 'bank-p', role: 'officer', label: 'ops', now: NOW })).secret;
    const viewer = (await createApiKey(f.db.db, { tenantId: 'bank-p', role: 'viewer', label: 'ops desk', now: NOW })).secret;
    let at = new Date('2025-12-01T02:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => at, logError: () => undefined, schedule: { settleMinutes: 10, overdueDays: 7 } });
    const send = (method: string, path: string, body?: unknown, key = officer) =>
      app.request(path, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const observe = async (metrics: [string, string, number][]) => {
      const res = await send('PUT', '/v1/subjects/P1/metrics', {
        metrics: metrics.map(([metric, period, value]) => ({ metric, period, value })),
      });
      assert.equal(res.status, 200, await res.text());
    };
    const schedule = async (iso: string, key = viewer) => {
      at = new Date(iso);
      const res = await send('GET', '/v1/jobs/schedule', undefined, key);
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { settleMinutes: number; overdueDays: number; months: Record<string, unknown>[] };
      assert.equal(body.settleMinutes, 10);
      assert.equal(body.overdueDays, 7);
      assert.equal(body.months.length, 1);
      return body.months[0] as Record<string, unknown>;
    };
    assert.equal((await send('PUT', '/v1/subjects/P1', { kind: 'customer', displayName: '王芳' })).status, 201);
    // The bank loads balances and household income every month…
    await observe([
      ['avg_daily_balance', '2025-09', 8_000_000],
      ['avg_daily_balance', '2025-10', 8_000_000],
      ['household_income', '2025-09', 30_000_000],
      ['household_income', '2025-10', 30_000_000],
    ]);
    // …and November's balances have come, its income not yet.
    await observe([['avg_daily_balance', '2025-11', 8_000_000]]);

    const waiting = await schedule('2025-12-01T04:00:00.000Z');
    assert.deepEqual(waiting, {
      period: '2025-11',
      state: 'waiting-for-data',
      waitingFor: 'data',
      endedAt: '2025-11-30T16:00:00.000Z',
      overdueAt: '2025-12-07T16:00:00.000Z',
      metrics: { required: ['avg_daily_balance', 'household_income'], loaded: ['avg_daily_balance'], missing: ['household_income'] },
      lastWrittenAt: null,
      quietAt: null,
      importId: null,
      job: null,
      later: null,
      command: null,
    });
    // The schedule itself waits, and its log line names what is missing.
    const waits: MonthlyStatus[] = [];
    const look = (iso: string) =>
      queueMonthlyRetiers(f.db.db, new Date(iso), 'Asia/Shanghai', {
        settleMinutes: 10,
        overdueDays: 7,
        onWait: (w) => w.tenantId === 'bank-p' && waits.push(w),
      });
    await look('2025-12-01T04:00:00.000Z');
    assert.equal(waits.length, 1);
    assert.match(
      waitingLine(waits[0] as MonthlyStatus),
      /bank-p 2025-11 waits: no data yet for household_income of 2025-11 \(avg_daily_balance loaded\)/,
    );
    // Asked for by hand, the month is queued — the officer decides — and the 201 names what it lacks.
    // A job for customers only or for one customer is not the month's job (the whole book, every
    // scheme): the schedule still waits.
    for (const body of [
      { period: '2025-11', filter: { kind: 'customer' } },
      { period: '2025-11', filter: { subjects: ['P1'] } },
    ]) {
      const manual = await send('POST', '/v1/jobs', { kind: 'retier', allowOpenMonth: true, ...body });
      assert.equal(manual.status, 201, await manual.clone().text());
      const job = (await manual.json()) as { scheduleKey: string | null; partlyLoaded: unknown };
      assert.deepEqual([job.scheduleKey, job.partlyLoaded], [null, { missing: ['household_income'], loaded: ['avg_daily_balance'] }]);
    }
    assert.equal(await jobCount(f, 'bank-p'), 2);
    assert.equal((await schedule('2025-12-01T04:00:00.000Z')).state, 'waiting-for-data');

    // An import running is said with its id.
    await createImport(f.db.db, {
      id: 'IMP-NOV',
      tenantId: 'bank-p',
      kind: 'metrics',
      options: {},
      fileName: 'november-income.csv',
      createdBy: 'key:ops',
      createdAt: '2025-12-02T00:00:00.000Z',
    });
    const importing = await schedule('2025-12-02T01:00:00.000Z');
    assert.equal(importing.state, 'import-running');
    assert.equal(importing.importId, 'IMP-NOV');
    await f.db.db
      .updateTable('imports')
      .set({ status: 'failed', finished_at: '2025-12-02T02:00:00.000Z' })
      .where('id', '=', 'IMP-NOV')
      .execute();

    // Seven days after November ended (midnight in Shanghai), still waiting is overdue — and says for what.
    assert.equal((await schedule('2025-12-07T15:59:00.000Z')).state, 'waiting-for-data');
    const overdue = await schedule('2025-12-07T16:00:00.000Z');
    assert.equal(overdue.state, 'overdue');
    assert.equal(overdue.waitingFor, 'data');
    waits.length = 0;
    await look('2025-12-07T16:00:00.000Z');
    assert.match(waitingLine(waits[0] as MonthlyStatus), /bank-p 2025-11 is overdue, still waiting: no data yet for household_income/);

    // The income comes on the 9th: settling, then queued, then done.
    at = new Date('2025-12-09T00:00:00.000Z');
    await observe([['household_income', '2025-11', 30_000_000]]);
    const settling = await schedule('2025-12-09T00:05:00.000Z');
    assert.deepEqual([settling.state, settling.waitingFor, settling.quietAt], ['overdue', 'settling', '2025-12-09T00:11:00.000Z']);
    assert.deepEqual(settling.metrics, {
      required: ['avg_daily_balance', 'household_income'],
      loaded: ['avg_daily_balance', 'household_income'],
      missing: [],
    });
    // Quiet now, not yet queued (the schedule's next look queues it): still overdue, settled.
    const due = await schedule('2025-12-09T00:11:00.000Z');
    assert.deepEqual([due.state, due.waitingFor, due.quietAt, due.job], ['overdue', 'settling', '2025-12-09T00:11:00.000Z', null]);
    await look('2025-12-09T00:11:00.000Z');
    const queued = await schedule('2025-12-09T00:12:00.000Z');
    const job = queued.job as { id: string; status: string };
    assert.deepEqual([queued.state, queued.waitingFor, job.status], ['queued', null, 'running']);
    assert.equal('reviewsOverdue' in queued, false, 'the reviews overdue are GET /v1/reviews/overdue’s');
    assert.match(job.id, /^job_/);
    await drainJobs({ db: f.db.db, now: () => at, logError: (e: unknown) => assert.fail(String(e)) });
    assert.deepEqual((await schedule('2025-12-09T01:00:00.000Z')).job, { id: job.id, status: 'completed' });
    assert.equal((await schedule('2025-12-09T01:00:00.000Z')).state, 'done');
    // Another bank's schedule is its own: no job of bank-p's, no data of its.
    const other = await schedule('2025-12-09T01:00:00.000Z', f.keys.b);
    assert.deepEqual([other.state, other.job], ['overdue', null]);
  });

  it('a metric loaded less often than monthly (yearly income) or never does not hold a month back', async () => {
    await provisionTenant(f.db.db, { id: 'bank-y', name: 'bank-y', pack: testPack(), now: NOW });
    const officer = (await createApiKey(f.db.db, { tenantId: 'bank-y', role: 'officer', label: 'ops', now: NOW })).secret;
    const at = new Date('2025-12-01T02:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => at, logError: () => undefined });
    const send = (method: string, path: string, body: unknown) =>
      app.request(path, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${officer}` },
        body: JSON.stringify(body),
      });
    assert.equal((await send('PUT', '/v1/subjects/Y1', { kind: 'customer', displayName: '陈静' })).status, 201);
    const metrics = [
      ...['2025-09', '2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 })),
      // Reported once a year, in October.
      { metric: 'household_income', period: '2025-10', value: 30_000_000 },
    ];
    assert.equal((await send('PUT', '/v1/subjects/Y1/metrics', { metrics })).status, 200);
    const load = await monthLoad(f.db.db, await loadTenantPack(f.db.db, 'bank-y'), '2025-11');
    assert.deepEqual([load.required, load.missing], [['avg_daily_balance'], []]);
    assert.equal((await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true })).status, 201);
  });
  it('a quarterly feed written three months at once: the schedule waits for it and is overdue; a job started by hand is queued and names it', async () => {
    const clock = await clockedTenant(f, 'bank-q', '2025-10-02T02:00:00.000Z');
    const send = clock.send;
    assert.equal((await send('PUT', '/v1/subjects/Q1', { kind: 'customer', displayName: '林慧' })).status, 201);
    assert.equal((await send('PUT', '/v1/subjects/Q2', { kind: 'customer', displayName: '郭明' })).status, 201);
    // Balances every month; household income once a quarter, Q3's three months written at once.
    const metrics = [
      ...['2025-07', '2025-08', '2025-09', '2025-10'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 })),
      ...['2025-07', '2025-08', '2025-09'].map((period) => ({ metric: 'household_income', period, value: 30_000_000 })),
    ];
    for (const subject of ['Q1', 'Q2']) assert.equal((await send('PUT', `/v1/subjects/${subject}/metrics`, { metrics })).status, 200);
    // October: the income was loaded in August and September, so the schedule waits for it…
    const look = async (iso: string) => {
      clock.at = new Date(iso);
      const res = await send('GET', '/v1/jobs/schedule');
      assert.equal(res.status, 200);
      return ((await res.json()) as { months: ScheduleMonth[] }).months[0] as ScheduleMonth;
    };
    const waiting = await look('2025-11-02T00:00:00.000Z');
    assert.deepEqual([waiting.period, waiting.state, waiting.metrics?.missing], ['2025-10', 'waiting-for-data', ['household_income']]);
    const waits: MonthlyStatus[] = [];
    assert.deepEqual(
      await queueMonthlyRetiers(f.db.db, clock.at, 'Asia/Shanghai', {
        settleMinutes: 10,
        onWait: (w) => w.tenantId === 'bank-q' && waits.push(w),
      }),
      [],
    );
    assert.deepEqual(
      waits.map((w) => w.state),
      ['waiting-for-data'],
    );
    // …and past the overdue day says so: the next quarter's file comes in January.
    const overdue = await look('2025-11-07T16:00:00.000Z');
    assert.deepEqual([overdue.state, overdue.waitingFor], ['overdue', 'data']);
    // The officer knows the feed is quarterly and re-tiers October by hand: queued, naming what it lacks.
    const whole = await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'income is quarterly' });
    assert.equal(whole.status, 201, await whole.clone().text());
    assert.deepEqual(((await whole.json()) as { partlyLoaded: unknown }).partlyLoaded, {
      missing: ['household_income'],
      loaded: ['avg_daily_balance'],
    });
    // A one-customer correction is not held back either.
    const one = await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: ['Q2'] } });
    assert.equal(one.status, 201, await one.clone().text());
    const job = (await one.json()) as { progress: { subjects: { total: number } }; partlyLoaded: unknown };
    assert.deepEqual(
      [job.progress.subjects.total, job.partlyLoaded],
      [1, { missing: ['household_income'], loaded: ['avg_daily_balance'] }],
    );
    // A month with no by-month data at all is still refused.
    const none = await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true });
    assert.equal(none.status, 422);
    assert.match(((await none.json()) as Problem).detail, /^No data for 2025-11 has been loaded/);
    // A month fully loaded says nothing is missing.
    const full = await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-09' });
    assert.equal(full.status, 201);
    assert.equal(((await full.json()) as { partlyLoaded: unknown }).partlyLoaded, null);
  });

  it('with the schedule off, a month re-tiered by hand for the whole book is the month’s job: queued, then done, and the schedule queues it no second time', async () => {
    const clock = await clockedTenant(f, 'bank-h', '2025-12-02T00:00:00.000Z');
    const send = clock.send;
    const look = async () => {
      const res = await send('GET', '/v1/jobs/schedule');
      assert.equal(res.status, 200);
      return ((await res.json()) as { months: ScheduleMonth[] }).months[0] as ScheduleMonth;
    };
    assert.equal((await send('PUT', '/v1/subjects/H1', { kind: 'customer', displayName: '何静' })).status, 201);
    const metrics = ['2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 }));
    assert.equal((await send('PUT', '/v1/subjects/H1/metrics', { metrics })).status, 200);
    clock.at = new Date('2025-12-02T01:00:00.000Z');
    // Data in and quiet: with no schedule running, nothing queues it; the officer starts it by hand.
    assert.deepEqual([(await look()).state, (await look()).job], ['settling', null]);
    const started = await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, reason: 'schedule off' });
    assert.equal(started.status, 201, await started.clone().text());
    const { id } = (await started.json()) as { id: string };
    const queued = await look();
    assert.deepEqual([queued.state, queued.waitingFor, queued.job], ['queued', null, { id, status: 'running' }]);
    await drainJobs({ db: f.db.db, now: () => clock.at, logError: (e: unknown) => assert.fail(String(e)) });
    const done = await look();
    assert.deepEqual([done.state, done.job], ['done', { id, status: 'completed' }]);
    // The schedule turned on afterwards sees the month done: no second job.
    const waits: MonthlyStatus[] = [];
    const again = await queueMonthlyRetiers(f.db.db, clock.at, 'Asia/Shanghai', {
      settleMinutes: 10,
      onWait: (w) => w.tenantId === 'bank-h' && waits.push(w),
    });
    assert.deepEqual(again, []);
    assert.deepEqual(waits, []);
    assert.equal(await jobCount(f, 'bank-h'), 1, 'the schedule queues no second job for the month');
  });

  it('a monthly job failed or cancelled is said as such, not as queued, and is overdue past the overdue day until resumed', async () => {
    const clock = await clockedTenant(f, 'bank-f', '2025-12-01T00:00:00.000Z');
    const send = clock.send;
    const look = async (iso: string) => {
      clock.at = new Date(iso);
      const res = await send('GET', '/v1/jobs/schedule');
      assert.equal(res.status, 200);
      return ((await res.json()) as { months: ScheduleMonth[] }).months[0] as ScheduleMonth;
    };
    const waits: MonthlyStatus[] = [];
    const schedule = async (iso: string) => {
      waits.length = 0;
      return queueMonthlyRetiers(f.db.db, new Date(iso), 'Asia/Shanghai', {
        settleMinutes: 10,
        overdueDays: 7,
        onWait: (w) => w.tenantId === 'bank-f' && waits.push(w),
      });
    };
    assert.equal((await send('PUT', '/v1/subjects/F1', { kind: 'customer', displayName: '周敏' })).status, 201);
    const metrics = ['2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 }));
    assert.equal((await send('PUT', '/v1/subjects/F1/metrics', { metrics })).status, 200);
    const [id] = await schedule('2025-12-01T01:00:00.000Z');
    assert.ok(id, 'November queued');
    assert.deepEqual([(await look('2025-12-01T01:00:00.000Z')).state], ['queued']);

    // Cancelled: not queued, waits for someone to resume it.
    assert.equal((await send('POST', `/v1/jobs/${id}/cancel`)).status, 200);
    const cancelled = await look('2025-12-02T00:00:00.000Z');
    assert.deepEqual([cancelled.state, cancelled.waitingFor, cancelled.job], ['job-cancelled', 'job', { id, status: 'cancelled' }]);
    await schedule('2025-12-02T00:00:00.000Z');
    assert.deepEqual(
      waits.map((w) => w.state),
      ['job-cancelled'],
    );
    assert.match(waitingLine(waits[0] as MonthlyStatus), new RegExp(`bank-f 2025-11 waits: its monthly re-tier ${id} cancelled; .*resume`));
    // Failed (its chunks gave up): the same, and overdue past the overdue day like any other wait.
    await f.db.db
      .updateTable('jobs')
      .set({ status: 'failed', error: 'disk full' })
      .where('id', '=', id as string)
      .execute();
    assert.deepEqual([(await look('2025-12-07T15:59:00.000Z')).state], ['job-failed']);
    const overdue = await look('2025-12-07T16:00:00.000Z');
    assert.deepEqual([overdue.state, overdue.waitingFor, overdue.job], ['overdue', 'job', { id, status: 'failed' }]);
    await schedule('2025-12-07T16:00:00.000Z');
    assert.match(
      waitingLine(waits[0] as MonthlyStatus),
      new RegExp(`bank-f 2025-11 is overdue, still waiting: its monthly re-tier ${id} failed`),
    );
    assert.equal(await jobCount(f, 'bank-f'), 1, 'the schedule queues no second job for the month');
    // Resumed: queued again.
    assert.equal((await send('POST', `/v1/jobs/${id}/resume`)).status, 200);
    assert.deepEqual([(await look('2025-12-08T00:00:00.000Z')).state], ['queued']);
  });
});
