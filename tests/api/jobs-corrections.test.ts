import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createImport } from '@tierkit/db';
import {
  createApiKey,
  createApp,
  drainJobs,
  provisionTenant,
  queueMonthlyRetiers,
  waitingLine,
  type MonthlyStatus,
  type ScheduleMonth,
} from '@tierkit/api';
import { NOW, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';

/*
 * Corrections loaded after a month's re-tier (API README, "corrected data: the month is
 * re-evaluated"): the import says the month was re-tiered before it, the schedule reports the month
 * `stale` rather than `done`, and queues one re-run once the corrections have settled — not one per
 * look, and none again once the re-run has read them.
 */

interface Retiered {
  period: string;
  job: { id: string; status: string };
  message: string;
}

/** A tenant of its own with an officer's key, and an app whose clock the test moves. */
async function clockedTenant(f: ApiFixture, tenantId: string, start: string) {
  await provisionTenant(f.db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
  const officer = (await createApiKey(f.db.db, { tenantId, role: 'officer', label: 'ops', now: NOW })).secret;
  const clock = {
    at: new Date(start),
    send: (method: string, path: string, body?: unknown, type = 'application/json') =>
      app.request(path, {
        method,
        headers: { 'Content-Type': type, Authorization: `Bearer ${officer}` },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
  };
  const app = createApp({ db: f.db.db, now: () => clock.at, logError: () => undefined, schedule: { settleMinutes: 10, overdueDays: 7 } });
  return clock;
}

forEachDialect('corrections after a month’s re-tier', (f: ApiFixture) => {
  it('an import after the month’s job says so; the month is stale, re-tiered once when quiet, then done — and again for the next corrections', async () => {
    const clock = await clockedTenant(f, 'bank-c', '2025-12-01T00:00:00.000Z');
    const send = clock.send;
    const month = async () => {
      const res = await send('GET', '/v1/jobs/schedule');
      assert.equal(res.status, 200);
      return ((await res.json()) as { months: ScheduleMonth[] }).months[0] as ScheduleMonth;
    };
    const waits: MonthlyStatus[] = [];
    const schedule = async (iso: string) => {
      waits.length = 0;
      clock.at = new Date(iso);
      return queueMonthlyRetiers(f.db.db, clock.at, 'Asia/Shanghai', {
        settleMinutes: 10,
        onWait: (w) => w.tenantId === 'bank-c' && waits.push(w),
      });
    };
    const drain = () => drainJobs({ db: f.db.db, now: () => clock.at, logError: (e: unknown) => assert.fail(String(e)) });
    const importCsv = async (csv: string) => {
      const res = await send('POST', '/v1/imports?kind=metrics&amounts=fen', csv, 'text/csv');
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { periods: string[]; retiered: Retiered[] };
    };
    assert.equal((await send('PUT', '/v1/subjects/C1', { kind: 'customer', displayName: '陈晨' })).status, 201);
    const metrics = ['2025-09', '2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 }));
    assert.equal((await send('PUT', '/v1/subjects/C1/metrics', { metrics })).status, 200);

    // November settles and is re-tiered by the schedule.
    const [first] = await schedule('2025-12-01T00:11:00.000Z');
    assert.ok(first, 'November queued');
    await drain();
    const done = await month();
    assert.deepEqual(
      [done.state, done.job, done.lastWrittenAt],
      ['done', { id: first, status: 'completed' }, '2025-12-01T00:00:00.000Z'],
      'done says when the month was last written',
    );

    // A correction to November arrives at 02:00: the import says the month was re-tiered before it.
    clock.at = new Date('2025-12-01T02:00:00.000Z');
    const corrected = await importCsv('subject,metric,period,value\nC1,avg_daily_balance,2025-11,199095900\n');
    assert.deepEqual(corrected.periods, ['2025-11']);
    assert.deepEqual(
      corrected.retiered.map((m) => [m.period, m.job]),
      [['2025-11', { id: first, status: 'completed' }]],
    );
    assert.match(
      corrected.retiered[0]?.message ?? '',
      new RegExp(`^2025-11 was re-tiered before this import \\(job ${first}\\); a re-tier is needed`),
    );

    // Stale, not done: settling from the correction's write.
    const stale = await month();
    assert.deepEqual(
      [stale.state, stale.waitingFor, stale.job, stale.lastWrittenAt, stale.quietAt],
      ['stale', 'settling', { id: first, status: 'completed' }, '2025-12-01T02:00:00.000Z', '2025-12-01T02:11:00.000Z'],
    );
    assert.deepEqual(await schedule('2025-12-01T02:05:00.000Z'), [], 'not before the corrections are quiet');
    assert.deepEqual(
      waits.map((w) => w.state),
      ['stale'],
    );
    assert.match(
      waitingLine(waits[0] as MonthlyStatus),
      new RegExp(`bank-c 2025-11 data changed after its re-tier ${first} .*re-tiered again at 2025-12-01T02:11:00.000Z`),
    );

    // Quiet: one re-run, under a key of its own; later looks queue nothing more.
    const [rerun] = await schedule('2025-12-01T02:11:00.000Z');
    assert.ok(rerun && rerun !== first, 're-run queued');
    assert.deepEqual(await schedule('2025-12-01T02:12:00.000Z'), []);
    const job = await f.db.db.selectFrom('jobs').select(['schedule_key', 'params']).where('id', '=', rerun).executeTakeFirstOrThrow();
    // Keyed by the correction's place in the database's write order, not by a host's clock.
    assert.match(job.schedule_key ?? '', /^monthly:2025-11#w\d+$/);
    assert.match((JSON.parse(job.params) as { reason: string }).reason, new RegExp(`data changed after its re-tier ${first}`));
    assert.deepEqual([(await month()).state, (await month()).job], ['queued', { id: rerun, status: 'running' }]);
    await drain();
    assert.deepEqual(await schedule('2025-12-01T05:00:00.000Z'), [], 'no loop once the re-run has read the corrections');
    assert.deepEqual(waits, []);
    assert.deepEqual([(await month()).state, (await month()).job], ['done', { id: rerun, status: 'completed' }]);

    // The same file again writes nothing: nothing to say, nothing to re-run.
    const again = await importCsv('subject,metric,period,value\nC1,avg_daily_balance,2025-11,199095900\n');
    assert.deepEqual([again.periods, again.retiered], [[], []]);
    assert.equal((await month()).state, 'done');

    // The next batch of corrections: one more re-run.
    clock.at = new Date('2025-12-02T00:00:00.000Z');
    assert.equal((await importCsv('subject,metric,period,value\nC1,avg_daily_balance,2025-11,100\n')).retiered.length, 1);
    assert.equal((await month()).state, 'stale');
    const [third] = await schedule('2025-12-02T00:11:00.000Z');
    assert.ok(third && third !== rerun);
    await drain();
    assert.deepEqual(await schedule('2025-12-02T01:00:00.000Z'), []);
    const keys = await f.db.db.selectFrom('jobs').select('schedule_key').where('tenant_id', '=', 'bank-c').orderBy('id').execute();
    assert.equal(keys.length, 3);
    assert.equal(keys[0]?.schedule_key, 'monthly:2025-11');
    assert.equal(keys[1]?.schedule_key, job.schedule_key);
    assert.match(keys[2]?.schedule_key ?? '', /^monthly:2025-11#w\d+$/);
    assert.notEqual(keys[2]?.schedule_key, keys[1]?.schedule_key);
  });

  it('a month re-tiered by hand is stale after corrections; an import still running holds the re-run back', async () => {
    const clock = await clockedTenant(f, 'bank-d', '2025-12-02T00:00:00.000Z');
    const send = clock.send;
    const month = async () =>
      ((await (await send('GET', '/v1/jobs/schedule')).json()) as { months: ScheduleMonth[] }).months[0] as ScheduleMonth;
    assert.equal((await send('PUT', '/v1/subjects/D1', { kind: 'customer', displayName: '丁一' })).status, 201);
    const metrics = ['2025-10', '2025-11'].map((period) => ({ metric: 'avg_daily_balance', period, value: 8_000_000 }));
    assert.equal((await send('PUT', '/v1/subjects/D1/metrics', { metrics })).status, 200);
    clock.at = new Date('2025-12-02T01:00:00.000Z');
    const started = await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11', reason: 'schedule off' });
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    await drainJobs({ db: f.db.db, now: () => clock.at, logError: (e: unknown) => assert.fail(String(e)) });
    assert.equal((await month()).state, 'done');
    // A correction through PUT …/metrics, as an API-fed bank sends it.
    clock.at = new Date('2025-12-02T03:00:00.000Z');
    const put = await send('PUT', '/v1/subjects/D1/metrics', {
      metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 9_000_000 }],
    });
    assert.equal(put.status, 200);
    const stale = await month();
    assert.deepEqual([stale.state, stale.job?.id, stale.lastWrittenAt], ['stale', id, '2025-12-02T03:00:00.000Z']);
    // An import running: the re-run waits for it, and says so.
    await createImport(f.db.db, {
      id: 'IMP-D',
      tenantId: 'bank-d',
      kind: 'metrics',
      options: {},
      fileName: 'december.csv',
      createdBy: 'key:ops',
      createdAt: '2025-12-02T03:05:00.000Z',
    });
    clock.at = new Date('2025-12-02T04:00:00.000Z');
    const held = await month();
    assert.deepEqual([held.state, held.waitingFor, held.importId], ['stale', 'import', 'IMP-D']);
    assert.deepEqual(await queueMonthlyRetiers(f.db.db, clock.at, 'Asia/Shanghai', { settleMinutes: 10 }), []);
    await f.db.db
      .updateTable('imports')
      .set({ status: 'failed', finished_at: '2025-12-02T04:00:00.000Z' })
      .where('id', '=', 'IMP-D')
      .execute();
    const queued = await queueMonthlyRetiers(f.db.db, clock.at, 'Asia/Shanghai', { settleMinutes: 10 });
    assert.equal(queued.length, 1);
  });

  it('data loaded moments before a re-tier by hand is not a correction; a correction moments after it is, within the write record’s minute', async () => {
    const clock = await clockedTenant(f, 'bank-e', '2025-12-02T00:00:00.000Z');
    const send = clock.send;
    const month = async () =>
      ((await (await send('GET', '/v1/jobs/schedule')).json()) as { months: ScheduleMonth[] }).months[0] as ScheduleMonth;
    assert.equal((await send('PUT', '/v1/subjects/E1', { kind: 'customer', displayName: '鄂尔' })).status, 201);
    const write = (value: number) =>
      send('PUT', '/v1/subjects/E1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value }] });
    assert.equal(
      (await send('PUT', '/v1/subjects/E1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] })).status,
      200,
    );
    assert.equal((await write(8_000_000)).status, 200);
    // A script loads the month and re-tiers it 20 seconds later: the job read that data.
    clock.at = new Date('2025-12-02T00:00:20.000Z');
    assert.equal((await send('POST', '/v1/jobs', { kind: 'retier', period: '2025-11' })).status, 201);
    await drainJobs({ db: f.db.db, now: () => clock.at, logError: (e: unknown) => assert.fail(String(e)) });
    assert.equal((await month()).state, 'done');
    // A correction 20 seconds after the job, within a minute of the month's last recorded write: recorded, and stale.
    clock.at = new Date('2025-12-02T00:00:40.000Z');
    assert.equal((await write(9_000_000)).status, 200);
    const stale = await month();
    assert.deepEqual([stale.state, stale.lastWrittenAt], ['stale', '2025-12-02T00:00:40.000Z']);
  });
});
