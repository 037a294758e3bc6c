import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type Job, jobDone, jobOutcome, Jobs, type JobsState } from '@tierkit/admin';
import { JOBS_WORDS } from '../../apps/admin/src/pages/jobs.words.js';
import { createApp, drainJobs, mintStaffToken } from '@tierkit/api';
import { createClient, type HttpTierkitClient } from '@tierkit/client';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

describe('Jobs against the real API', () => {
  const f = kitFixture();
  let app: ReturnType<typeof createApp>;
  let token: string;

  /** OFF1 (a tenant-wide officer's staff token), on an app whose event streams look at the job every 10 ms. */
  const officer = (wrap?: (path: string, res: Promise<Response>) => Promise<Response>): HttpTierkitClient =>
    createClient({
      baseUrl: 'http://tierkit.test',
      token: () => token,
      fetch: (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        const res = Promise.resolve(app.request(input instanceof Request ? input : url, init));
        return wrap ? wrap(new URL(url).pathname, res) : res;
      },
    });
  const drain = () => drainJobs({ db: f.db.db, now: () => NOW, logError: () => undefined });

  before(async () => {
    app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, jobEventsPollMs: 10 });
    token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'OFF1', now: NOW })).token;
  });

  it('an officer starts a re-tier and follows it live: progress, then the end with the summary', async () => {
    const jobs = new Jobs(officer());
    await jobs.load();
    const before = jobs.state.items.length;
    const job = (await jobs.start({ schemes: ['retail-tier'], period: '2025-10', reason: 'kit test' })) as Job;
    assert.equal(job.status, 'running');
    assert.equal(job.requestedBy, 'staff:OFF1');
    assert.equal(jobs.state.items[0]?.id, job.id);

    const seen: JobsState[] = [];
    const stop = jobs.subscribe((s) => seen.push(s));
    const following = jobs.follow(job.id);
    // The worker runs once the stream has told the job's start.
    while (!seen.some((s) => s.job?.id === job.id && s.following === 'stream')) await new Promise((r) => setTimeout(r, 5));
    await drain();
    await following;
    stop();

    const end = jobs.state.job as Job;
    assert.equal(end.status, 'completed');
    assert.equal(jobDone(end), end.progress.subjects.total);
    assert.equal(end.progress.subjects.total, 10);
    assert.ok(end.summary.matrix.length > 0, 'the migration matrix');
    assert.equal(
      end.summary.matrix.filter((c) => c.scheme === 'retail-tier').reduce((n, c) => n + c.count, 0),
      10,
    );
    assert.equal(jobs.state.following, 'no');
    assert.equal(jobs.state.etaSeconds, undefined, 'nothing left');
    assert.ok(
      seen.some((s) => s.job?.status === 'running'),
      'a progress event of the running job arrived before the end',
    );
    assert.equal(jobs.state.items.find((j) => j.id === job.id)?.status, 'completed', 'the list row follows too');
    await jobs.refresh();
    assert.equal(jobs.state.items.length, before + 1);
  });

  it('a month re-tiered after a later one re-evaluates nobody, and says so rather than "done, no results yet"', async () => {
    // Every customer's levels already judge 2025-10 (the fixture's metric writes): a job for 2025-09 leaves them all alone.
    const jobs = new Jobs(officer());
    const job = (await jobs.start({ schemes: ['retail-tier'], period: '2025-09', reason: 'restatement' })) as Job;
    await drain();
    await jobs.follow(job.id);
    const end = jobs.state.job as Job;
    assert.equal(end.status, 'completed');
    assert.equal(jobDone(end), 10, 'all dealt with');
    assert.deepEqual(jobOutcome(end), { evaluated: 0, leftAlone: 10, filtered: false, nothingEvaluated: true });
    assert.equal(end.summary.matrix.length, 0, 'no result will come');
    const zh = JOBS_WORDS['zh-CN'];
    assert.equal(zh.outcome(0, 10, true), '重新评估 0 位客户，未动 10 位客户');
    assert.equal(zh.nothingEvaluated(10, true), '本任务没有重新评估任何客户：全部 10 位客户均未动，没有重评结果。');
    assert.equal(JOBS_WORDS['zh-TW'].outcome(0, 10_460, false), '重新評估 0 個對象，未動 10,460 個對象');
    assert.equal(
      JOBS_WORDS.en.nothingEvaluated(10_460, false),
      'This job re-evaluated no subject: all 10,460 were left alone, so it has no results.',
    );
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = JOBS_WORDS[locale];
      assert.notEqual(w.nothingEvaluated(10, true), w.noMatrix);
      // No filter: the filter is no reason the page gives; with one, it is.
      assert.ok(w.leftAloneWhy(true).length > w.leftAloneWhy(false).length, locale);
    }

    // A level filter leaves the others alone too, and the page names the filter among the reasons.
    const filtered = (await jobs.start({
      schemes: ['retail-tier'],
      period: '2025-10',
      filter: { level: { scheme: 'retail-tier', level: 'standard' } },
    })) as Job;
    await drain();
    await jobs.follow(filtered.id);
    const f2 = jobOutcome(jobs.state.job as Job);
    assert.deepEqual(f2, { evaluated: 3, leftAlone: 7, filtered: true, nothingEvaluated: false });
  });

  it('cancel stops the job and ends following; resume carries on and follows it to the end', async () => {
    const jobs = new Jobs(officer());
    const job = (await jobs.start({ period: '2025-10' })) as Job;
    const following = jobs.follow(job.id);
    const cancelled = await jobs.cancelJob();
    assert.equal(cancelled?.status, 'cancelled');
    await following;
    assert.equal(jobs.state.job?.status, 'cancelled');
    assert.equal(jobs.state.following, 'no');

    assert.equal(await jobs.cancelJob(), undefined, 'a cancelled job cannot be cancelled again');
    assert.equal(jobs.state.actionError?.status, 409);

    const resumed = await jobs.resumeJob();
    assert.equal(resumed?.status, 'running');
    assert.equal(jobs.state.actionError, undefined);
    await drain();
    // Resuming follows the job again, to its end.
    const status = (): string | undefined => jobs.state.job?.status;
    while (status() === 'running') await new Promise((r) => setTimeout(r, 5));
    assert.equal(status(), 'completed');
  });

  it('when the stream breaks it reads the job instead, to the end', async () => {
    let streams = 0;
    // Every event stream closes at once without an `end`: a proxy cutting it, say.
    const broken = officer((path, res) => {
      if (!path.endsWith('/events')) return res;
      streams++;
      return Promise.resolve(new Response('', { status: 200, headers: { 'content-type': 'text/event-stream' } }));
    });
    const jobs = new Jobs(broken, { pollMs: 5, maxStreamFailures: 2 });
    const job = (await jobs.start({ period: '2025-10' })) as Job;
    const modes = new Set<string>();
    const stop = jobs.subscribe((s) => modes.add(s.following));
    const following = jobs.follow(job.id);
    await new Promise((r) => setTimeout(r, 30));
    await drain();
    await following;
    stop();
    assert.equal(jobs.state.job?.status, 'completed');
    assert.ok(modes.has('polling'));
    assert.equal(streams, 2, 'two broken streams, then polling only');
  });

  it('stops following on cancel() — the job runs on', async () => {
    const jobs = new Jobs(officer());
    const job = (await jobs.start({ period: '2025-10' })) as Job;
    const following = jobs.follow(job.id);
    await new Promise((r) => setTimeout(r, 30));
    jobs.cancel();
    await following;
    assert.equal(jobs.state.following, 'no');
    assert.equal(jobs.state.job?.status, 'running');
    await drain();
  });

  it('the list keeps a running job current by reading itself again, and reads nothing once none runs', async () => {
    let reads = 0;
    const counting = officer((path, res) => {
      if (path === '/v1/jobs') reads++;
      return res;
    });
    const jobs = new Jobs(counting, { listPollMs: 5 });
    const job = (await jobs.start({ period: '2025-10' })) as Job;
    reads = 0;
    const watching = jobs.watchList();
    assert.equal(jobs.state.watching, true);
    for (let i = 0; i < 400 && reads === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(reads > 0, 'the list is read again while the job runs');
    await drain();
    await watching;
    assert.equal(jobs.state.items.find((j) => j.id === job.id)?.status, 'completed', 'the row followed the job to its end');
    assert.equal(jobs.state.watching, false);
    assert.ok(jobs.state.listUpdatedAt, 'when it was read');
    const after = reads;
    await jobs.watchList();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(reads, after, 'no request while nothing runs');
  });

  it('refusals: a bad period names the field, an unknown job is not found, a relationship manager may not start one', async () => {
    const jobs = new Jobs(officer());
    assert.equal(await jobs.start({ period: '2025-13' }), undefined);
    assert.equal(jobs.state.startError?.status, 400);
    assert.equal(jobs.state.starting, false);

    await jobs.follow('job_nope');
    assert.equal(jobs.state.jobStatus, 'error');
    assert.equal(jobs.state.jobError?.status, 404);

    const rm = new Jobs(f.client('RM1'));
    assert.equal(await rm.start({ period: '2025-10' }), undefined);
    assert.equal(rm.state.startError?.status, 403);
  });

  it('loadSchedule says what the monthly schedule waits for; a book-scoped credential is refused, and says so', async () => {
    const jobs = new Jobs(officer());
    const loading = jobs.loadSchedule();
    assert.equal(jobs.state.scheduleStatus, 'loading');
    await loading;
    assert.equal(jobs.state.scheduleStatus, 'ready', JSON.stringify(jobs.state.scheduleError));
    const month = jobs.state.schedule?.months[0];
    // 15 November 2025 in Shanghai: the schedule looks at October.
    assert.equal(month?.period, '2025-10');
    assert.equal(month?.endedAt, '2025-10-31T16:00:00.000Z');
    // October was re-tiered by hand for the whole book above (jobs.start({ period: '2025-10' })): that is
    // the month's job, the newest of them, and the month is done — not waiting, not overdue.
    assert.deepEqual([month?.state, month?.waitingFor, month?.job?.status], ['done', null, 'completed']);
    assert.equal(jobs.state.schedule?.overdueDays, 7);

    const rm = new Jobs(f.client('RM1'));
    await rm.loadSchedule();
    assert.equal(rm.state.scheduleStatus, 'error');
    assert.equal(rm.state.scheduleError?.status, 403);
    assert.equal(rm.state.schedule, undefined);
  });
});

describe('Jobs: a start for a month partly loaded', () => {
  const f = kitFixture();

  it('keeps what the month lacks in `started` for the host to tell the officer; the next start clears it', async () => {
    // The bank loaded household income in August and September; October's has not come.
    const admin = f.client('admin');
    await admin.http.send('PUT', '/v1/subjects/K10/metrics', {
      metrics: ['2025-08', '2025-09'].map((period) => ({ metric: 'household_income', period, value: 30_000_000 })),
    });
    const jobs = new Jobs(f.client('OFF1'));
    const queued = await jobs.start({ period: '2025-10', reason: 'income is late' });
    assert.ok(queued, JSON.stringify(jobs.state.startError));
    assert.deepEqual(jobs.state.started?.partlyLoaded, { missing: ['household_income'], loaded: ['avg_daily_balance'] });
    assert.equal(jobs.state.started?.id, queued.id);
    assert.equal(jobs.state.items[0]?.id, queued.id);
    assert.equal('partlyLoaded' in (jobs.state.items[0] ?? {}), false, 'the list holds jobs as the API lists them');

    // September has everything the months before had: nothing to tell.
    const whole = await jobs.start({ period: '2025-09' });
    assert.ok(whole);
    assert.equal(jobs.state.started?.id, whole.id);
    assert.equal(jobs.state.started?.partlyLoaded, null);

    // A refused start leaves nothing of the one before.
    assert.equal(await jobs.start({ period: '2025-13' }), undefined);
    assert.equal(jobs.state.started, undefined);
  });
});
