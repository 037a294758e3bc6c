import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { readServerSentEvents } from '@tierkit/admin';
import {
  createApiKey,
  createApp,
  drainJobs,
  enqueueRetier,
  mintStaffToken,
  provisionTenant,
  queueMonthlyRetiers,
  TenantPacks,
  workOnce,
  type JobView,
} from '@tierkit/api';
import { findSubjectByExternalId, insertMetrics, insertOverride, insertSubjects, type Db, type Executor } from '@tierkit/db';
import { NOW, authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { approvalTestPack, testPack } from '../support/test-pack.js';

/*
 * Re-tier jobs over HTTP on both dialects: queue, progress, summary (migration matrix and
 * approval-required count), cancel and resume, tenants and credentials, bad input, the event stream,
 * the monthly schedule — and that a job writes exactly what a metrics write of the same data writes.
 */

const worker = (f: ApiFixture) => ({ db: f.db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });

async function job(res: Response, status = 200): Promise<JobView> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as JobView;
}

/** Metrics written straight to the table at NOW, as a warehouse load would: no evaluation happens. */
async function load(db: Db, tenantId: string, externalId: string, rows: readonly [metric: string, period: string, value: number][]) {
  const subject = await findSubjectByExternalId(db.db, tenantId, externalId);
  assert.ok(subject, `${externalId} exists`);
  await insertMetrics(
    db.db,
    rows.map(([metric, period, value]) => ({ tenant_id: tenantId, subject_id: subject.id, metric, period, value })),
    NOW.toISOString(),
  );
}

const retailCells = (j: JobView) =>
  j.summary.matrix.filter((c) => c.scheme === 'retail-tier').map((c) => `${c.from ?? '∅'}→${c.to}:${c.count}`);

forEachDialect('re-tier jobs', (f) => {
  let key = '';
  let viewer = '';
  const as = () => key;
  before(async () => {
    await provisionTenant(f.db.db, { id: 'bank-j', name: 'bank-j', pack: approvalTestPack(), now: NOW });
    key = (await createApiKey(f.db.db, { tenantId: 'bank-j', role: 'officer', label: 'jobs', now: NOW })).secret;
    viewer = (await createApiKey(f.db.db, { tenantId: 'bank-j', role: 'viewer', label: 'jobs viewer', now: NOW })).secret;
    const api = client(f, as);
    // Evaluated by metrics writes at 2025-10: gold, standard, platinum.
    for (const [id, yuan] of [
      ['G1', 100_000],
      ['S1', 10_000],
      ['P1', 500_000],
    ] as const) {
      await api.customer(id);
      const r = await api.balances(id, [
        ['2025-08', yuan],
        ['2025-09', yuan],
        ['2025-10', yuan],
      ]);
      assert.equal(r.status, 200);
    }
    // Loaded but never evaluated: a diamond balance and a high AML score for November.
    await api.customer('N1');
    await load(f.db, 'bank-j', 'N1', [
      ['avg_daily_balance', '2025-11', 600_000_000],
      ['aml_customer_risk', '2025-11', 95],
    ]);
    // A customer with neither a level nor data is left alone.
    await api.customer('E1');
  });

  it('queues a job, reports progress, and sums up a migration matrix and the approvals it needs', async () => {
    const api = client(f, as);
    const queued = await job(
      await api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, reason: 'month end' }),
      201,
    );
    assert.equal(queued.status, 'running');
    assert.equal(queued.requestedBy.startsWith('key:'), true);
    assert.deepEqual(queued.progress.subjects, { total: 5, processed: 0, skipped: 0 });
    assert.equal(queued.progress.chunks.done, 0);

    await drainJobs(worker(f));
    const done = await job(await api.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed');
    assert.ok(done.finishedAt);
    assert.deepEqual(done.progress.subjects, { total: 5, processed: 4, skipped: 1 });
    // No November balances for the three: a three-month average with a missing month counting as
    // zero still clears each line (and a downgrade would wait three months anyway).
    assert.deepEqual(retailCells(done).sort(), ['gold→gold:1', 'platinum→platinum:1', 'standard→standard:1', '∅→diamond:1']);
    const aml = done.summary.matrix.filter((c) => c.scheme === 'aml-test').map((c) => `${c.from ?? '∅'}→${c.to}:${c.count}`);
    assert.deepEqual(aml.sort(), ['low→low:3', '∅→high:1']);
    assert.equal(done.summary.approvalRequired, 1, 'N1 turned AML high, which needs approval');
    // N1: retail ∅→diamond, aml ∅→high, risk-value ∅→…; nobody else changed level.
    assert.equal(done.summary.changes, 3);
    const tiers = (await (await api.get('/v1/subjects/N1/tiers')).json()) as { assignments: { scheme: string; level: string }[] };
    assert.equal(tiers.assignments.find((a) => a.scheme === 'retail-tier')?.level, 'diamond');

    // Again: the same month evaluated again changes nothing.
    const again = await job(
      await api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, schemes: ['retail-tier'] }),
      201,
    );
    await drainJobs(worker(f));
    const second = await job(await api.get(`/v1/jobs/${again.id}`));
    assert.equal(second.summary.changes, 0);
    assert.deepEqual(retailCells(second).sort(), ['diamond→diamond:1', 'gold→gold:1', 'platinum→platinum:1', 'standard→standard:1']);
    // The scheme asked for, the risk × value matrix that reads its level, and AML, which the matrix reads
    // too: the set a job writes is closed both ways (jobs-dependents.test.ts).
    assert.deepEqual(new Set(second.summary.matrix.map((c) => c.scheme)), new Set(['retail-tier', 'aml-test', 'risk-value-test']));
  });

  it('cancels between chunks and resumes from the last committed chunk', async () => {
    const queued = await enqueueRetier(f.db.db, { tenantId: 'bank-j', period: '2025-11', now: NOW, chunkSubjects: 1 });
    assert.ok(queued);
    assert.equal(queued.progress.chunks.total, 5);
    assert.equal(await workOnce(worker(f)), true);
    const api = client(f, as);
    const cancelled = await job(await api.post(`/v1/jobs/${queued.id}/cancel`, {}));
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.progress.chunks.done, 1);
    assert.equal(await drainJobs(worker(f)), 0, 'a cancelled job has nothing to claim');
    assert.equal((await api.post(`/v1/jobs/${queued.id}/cancel`, {})).status, 409);

    const resumed = await job(await api.post(`/v1/jobs/${queued.id}/resume`, {}));
    assert.equal(resumed.status, 'running');
    const again = await api.post(`/v1/jobs/${queued.id}/resume`, {});
    assert.equal(again.status, 409, 'a running job cannot be resumed');
    assert.match(
      ((await again.json()) as { detail: string }).detail,
      /is running; .*No worker holds any of its chunks/,
      'and says where it stands',
    );
    assert.equal(await drainJobs(worker(f)), 4, 'the four chunks left, not the one done');
    const done = await job(await api.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.progress.chunks, { total: 5, done: 5 });
    assert.equal(done.progress.subjects.processed + done.progress.subjects.skipped, 5);
    assert.equal((await api.post(`/v1/jobs/${queued.id}/resume`, {})).status, 409);
  });

  it('cancel and resume need no body and no Content-Type (curl -X POST); a body still needs application/json', async () => {
    const queued = await enqueueRetier(f.db.db, { tenantId: 'bank-j', period: '2025-11', now: NOW, chunkSubjects: 1 });
    assert.ok(queued);
    const bare = (action: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
      f.app.request(`/v1/jobs/${queued.id}/${action}`, { method: 'POST', ...init, headers: { ...authHeader(f, as), ...init.headers } });
    assert.equal((await job(await bare('cancel'))).status, 'cancelled');
    assert.equal((await job(await bare('resume', { headers: { 'Content-Length': '0' } }))).status, 'running');
    const typed = await bare('cancel', { body: '{}', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(typed.status, 415, 'a body of another type is still refused');
    assert.equal((await job(await client(f, as).get(`/v1/jobs/${queued.id}`))).status, 'running', 'and changed nothing');
    assert.equal((await job(await bare('cancel'))).status, 'cancelled');
  });

  it('a chunk whose job is cancelled while a worker runs it is given back at once, and cancels never fail the job', async () => {
    const queued = await enqueueRetier(f.db.db, { tenantId: 'bank-j', period: '2025-11', now: NOW, chunkSubjects: 5 });
    assert.ok(queued);
    assert.equal(queued.progress.chunks.total, 1);
    const api = client(f, as);
    // The operator cancels after the worker claimed the chunk and before it commits (here: as the
    // worker loads the tenant's policies); the worker rolls its work back.
    class CancelledMeanwhile extends TenantPacks {
      override async get(db: Executor, tenantId: string, period?: string) {
        assert.equal((await job(await api.post(`/v1/jobs/${queued?.id}/cancel`, {}))).status, 'cancelled');
        return super.get(db, tenantId, period);
      }
    }
    // More cancels than a chunk has attempts (3): none of them is a failure of the chunk.
    for (let i = 0; i < 4; i++) {
      assert.equal(await workOnce(worker(f), new CancelledMeanwhile()), true);
      const chunk = await f.db.db
        .selectFrom('job_chunks')
        .select(['status', 'lease_owner', 'attempts'])
        .where('job_id', '=', queued.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(chunk, { status: 'pending', lease_owner: null, attempts: 0 }, 'given back, its claim not counted');
      const resumed = await api.post(`/v1/jobs/${queued.id}/resume`, {});
      assert.equal(resumed.status, 200, await resumed.text());
      assert.match(
        ((await (await api.post(`/v1/jobs/${queued.id}/resume`, {})).json()) as { detail: string }).detail,
        /No worker holds any of its chunks/,
        'no lease left for a resume to wait out',
      );
    }
    assert.equal(await drainJobs(worker(f)), 1, 'a worker takes it at once after the resume');
    const done = await job(await api.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed', done.error ?? '');
  });

  it('counts in its progress only the subjects its filter selects', async () => {
    const api = client(f, as);
    // G1 and N1 were created first and fourth: their chunk spans S1 and P1, which are not the job's.
    const listed = await job(
      await api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, filter: { subjects: ['G1', 'N1'] } }),
      201,
    );
    assert.equal(listed.progress.chunks.total, 1);
    await drainJobs(worker(f));
    const done = await job(await api.get(`/v1/jobs/${listed.id}`));
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.progress.subjects, { total: 2, processed: 2, skipped: 0 });

    // Both filters select: a customer listed under kind corporate is not the job's.
    const none = await job(
      await api.post('/v1/jobs', {
        kind: 'retier',
        period: '2025-11',
        allowOpenMonth: true,
        filter: { kind: 'corporate', subjects: ['G1'] },
      }),
      201,
    );
    assert.equal(none.status, 'completed');
    assert.deepEqual(none.progress.subjects, { total: 0, processed: 0, skipped: 0 });
  });

  it('a customer with no data of their own for a month still re-evaluates: a stale income declaration lapses after the hysteresis', async () => {
    const api = client(f, as);
    // The bank has loaded June (a job for a month with no data at all is refused): just not for ST1.
    await load(f.db, 'bank-j', 'S1', [['avg_daily_balance', '2025-06', 1_000_000]]);
    await api.customer('ST1');
    const declared = await api.put('/v1/subjects/ST1/metrics', {
      metrics: [{ metric: 'household_income', period: '2024-06', value: 25_000_000 }],
    });
    assert.equal(declared.status, 200);
    const level = async () =>
      ((await (await api.get('/v1/subjects/ST1/tiers')).json()) as { assignments: { scheme: string; level: string }[] }).assignments.find(
        (a) => a.scheme === 'retail-tier',
      )?.level;
    assert.equal(await level(), 'gold');
    const run = async (period: string) => {
      const queued = await job(
        await api.post('/v1/jobs', { kind: 'retier', period, allowOpenMonth: true, filter: { subjects: ['ST1'] } }),
        201,
      );
      await drainJobs(worker(f));
      return job(await api.get(`/v1/jobs/${queued.id}`));
    };
    // The income counts for 12 months (through 2025-05); 2025-06 is the first month below.
    assert.equal((await run('2025-06')).status, 'completed');
    assert.equal(await level(), 'gold', 'one month below: the downgrade waits');
    const later = await run('2025-09');
    assert.equal(await level(), 'standard');
    assert.deepEqual(retailCells(later), ['gold→standard:1']);
    const history = (await (await api.get('/v1/subjects/ST1/history?scheme=retail-tier')).json()) as {
      items: { from: string | null; to: string; period: string }[];
    };
    assert.deepEqual(
      history.items.map((e) => `${e.from}→${e.to}@${e.period}`),
      ['gold→standard@2025-08', 'null→gold@2024-06'],
    );
  });

  it('writes exactly what metrics writes of the same data write', async () => {
    // bank-b takes each month through PUT …/metrics; bank-a gets the same rows loaded and re-tiered.
    const direct = client(f, 'b');
    const batch = client(f, 'a');
    const people = { EQ1: [60_000, 40_000, 10_000], EQ2: [400_000, 400_000, 0], EQ3: [2_000_000, 20_000, 20_000], EQ4: [0, 0, 80_000] };
    for (const id of Object.keys(people)) {
      await direct.customer(id);
      await batch.customer(id);
    }
    const steps: [months: string[], index: number[]][] = [
      [
        ['2025-06', '2025-07', '2025-08'],
        [0, 0, 0],
      ],
      [['2025-09'], [1]],
      [
        ['2025-10', '2025-11'],
        [1, 2],
      ],
    ];
    for (const [months, index] of steps) {
      for (const [id, yuan] of Object.entries(people)) {
        const rows = months.map((m, i) => ['avg_daily_balance', m, (yuan[index[i] ?? 0] ?? 0) * 100] as [string, string, number]);
        const r = await direct.put(`/v1/subjects/${id}/metrics`, {
          metrics: rows.map(([metric, period, value]) => ({ metric, period, value })),
        });
        assert.equal(r.status, 200);
        await load(f.db, 'bank-a', id, rows);
      }
      const period = months[months.length - 1] as string;
      await job(
        await batch.post('/v1/jobs', { kind: 'retier', period, allowOpenMonth: true, filter: { subjects: Object.keys(people) } }),
        201,
      );
      await drainJobs(worker(f));
    }
    const snapshot = async (tenant: string) => {
      const a = await f.db.db
        .selectFrom('assignments as a')
        .innerJoin('subjects as s', 's.id', 'a.subject_id')
        .select([
          's.external_id',
          'a.scheme',
          'a.level',
          'a.rank',
          'a.periods_below',
          'a.base_level',
          'a.base_periods_below',
          'a.previous_level',
          'a.explanation',
          'a.progress',
          'a.retention',
          'a.approval_required',
          'a.policy_version',
          'a.period',
          'a.evaluated_at',
        ])
        .where('a.tenant_id', '=', tenant)
        .where('s.external_id', 'in', Object.keys(people))
        .orderBy('s.external_id')
        .orderBy('a.scheme')
        .execute();
      const e = await f.db.db
        .selectFrom('tier_events as e')
        .innerJoin('subjects as s', 's.id', 'e.subject_id')
        .select([
          's.external_id',
          'e.scheme',
          'e.from_level',
          'e.to_level',
          'e.at',
          'e.reason',
          'e.rule_id',
          'e.note',
          'e.policy_version',
          'e.period',
        ])
        .where('e.tenant_id', '=', tenant)
        .where('s.external_id', 'in', Object.keys(people))
        .orderBy('s.external_id')
        .orderBy('e.scheme')
        .orderBy('e.period')
        .orderBy('e.id')
        .execute();
      return { assignments: a, events: e };
    };
    const expected = await snapshot('bank-b');
    assert.ok(expected.events.length > Object.keys(people).length, 'the data moves levels more than once');
    assert.deepEqual(await snapshot('bank-a'), expected);
  });

  it('keeps tenants apart and refuses customers’ and read-only credentials', async () => {
    const api = client(f, as);
    const mine = await job(
      await api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, schemes: ['retail-tier'] }),
      201,
    );
    const other = client(f, 'b');
    assert.equal((await other.get(`/v1/jobs/${mine.id}`)).status, 404);
    assert.equal((await other.get(`/v1/jobs/${mine.id}/events`)).status, 404);
    assert.equal((await other.post(`/v1/jobs/${mine.id}/cancel`, {})).status, 404);
    const listed = (await (await other.get('/v1/jobs?limit=100')).json()) as { items: JobView[] };
    assert.equal(
      listed.items.some((j) => j.id === mine.id),
      false,
    );

    const embed = (await (await api.post('/v1/embed-tokens', { subject: 'G1' })).json()) as { token: string };
    const customer = client(f, () => embed.token);
    for (const path of ['/v1/jobs', `/v1/jobs/${mine.id}`, `/v1/jobs/${mine.id}/events`])
      assert.equal((await customer.get(path)).status, 403, path);
    assert.equal((await customer.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true })).status, 403);
    assert.equal((await customer.post(`/v1/jobs/${mine.id}/cancel`, {})).status, 403);

    const staff = await mintStaffToken(f.db.db, { tenantId: 'bank-j', now: NOW });
    assert.equal((await client(f, () => staff.token).get(`/v1/jobs/${mine.id}`)).status, 200, 'staff tokens read jobs');
    assert.equal((await client(f, () => staff.token).post(`/v1/jobs/${mine.id}/cancel`, {})).status, 403, 'but cannot act');
    assert.equal((await client(f, () => viewer).post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true })).status, 403);
    assert.equal((await client(f, () => viewer).get(`/v1/jobs/${mine.id}`)).status, 200);
    await drainJobs(worker(f));
  });

  it('refuses bad requests with a problem naming the field, and queues nothing', async () => {
    const api = client(f, as);
    const count = async () =>
      Number(
        (
          await f.db.db
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const cases: [body: unknown, path: string][] = [
      [{ kind: 'retier', period: '2025-13' }, 'period'],
      [{ kind: 'retier', period: '2026-01' }, 'period'],
      [{ kind: 'retier', period: '2025-11', allowOpenMonth: true, schemes: ['nope'] }, 'schemes[0]'],
      [
        { kind: 'retier', period: '2025-11', allowOpenMonth: true, filter: { level: { scheme: 'retail-tier', level: 'nope' } } },
        'filter.level.level',
      ],
      [{ kind: 'retier', period: '2025-11', allowOpenMonth: true, filter: { subjects: ['NOBODY'] } }, 'filter.subjects[0]'],
      [{ kind: 'retier', period: '2025-11', allowOpenMonth: true, extra: 1 }, ''],
      [{ kind: 'import', period: '2025-11' }, 'kind'],
      [{ kind: 'retier' }, 'period'],
    ];
    for (const [body, path] of cases) {
      const res = await api.post('/v1/jobs', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
      const problem = (await res.json()) as { errors?: { path: string }[] };
      if (path)
        assert.ok(
          problem.errors?.some((e) => e.path === path),
          `${JSON.stringify(body)} names ${path}: ${JSON.stringify(problem)}`,
        );
    }
    assert.equal((await api.get('/v1/jobs/not-a-job')).status, 400);
    assert.equal((await api.get('/v1/jobs/job_0000000000000000')).status, 404);
    assert.equal((await api.get('/v1/jobs?cursor=eyJrIjoic3ViamVjdHMiLCJhZnRlciI6IkYxIn0')).status, 400, 'a subjects cursor');
    assert.equal((await api.get('/v1/jobs?status=sleeping')).status, 400);
    assert.equal(await count(), before);
  });

  it('lists jobs newest first, a page at a time', async () => {
    const api = client(f, as);
    const all = (await (await api.get('/v1/jobs?limit=100')).json()) as { items: JobView[] };
    assert.ok(all.items.length >= 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await api.get(`/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        items: JobView[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      all.items.map((j) => j.id),
    );
    const created = all.items.map((j) => j.createdAt + j.id);
    assert.deepEqual(created, [...created].sort().reverse());
    const completed = (await (await api.get('/v1/jobs?status=completed&limit=100')).json()) as { items: JobView[] };
    assert.ok(completed.items.length > 0 && completed.items.every((j) => j.status === 'completed'));
  });

  it('streams progress as Server-Sent Events until the job ends', async () => {
    const app = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, jobEventsPollMs: 10 });
    const queued = await enqueueRetier(f.db.db, { tenantId: 'bank-j', period: '2025-11', now: NOW, chunkSubjects: 2 });
    assert.ok(queued);
    const res = await app.request(`/v1/jobs/${queued.id}/events`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('Content-Type') ?? '', /^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const events: { event: string; data: JobView }[] = [];
    let buffer = '';
    const next = async () => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}: `))
              ?.slice(name.length + 2) ?? '';
          const e = { event: field('event'), data: JSON.parse(field('data')) as JobView };
          events.push(e);
          return e;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = await next();
    assert.equal(first?.event, 'progress');
    assert.equal(first?.data.progress.chunks.done, 0);
    // One chunk at a time, reading the stream in between, until it says the job ended.
    let last: { event: string; data: JobView } | undefined = first;
    while (last && last.event !== 'end') {
      await workOnce(worker(f));
      last = await next();
    }
    assert.equal(last?.event, 'end');
    assert.equal(last?.data.status, 'completed');
    assert.deepEqual(last?.data.progress.chunks, { total: 3, done: 3 });
    assert.equal(await next(), undefined, 'the stream closes after its end event');
    const done = events.map((e) => e.data.progress.chunks.done);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
      'progress only moves forward',
    );
    assert.ok(events.length >= 3, `progress was streamed as it happened (${events.length} events)`);
    const [ending, closing] = events.slice(-2);
    assert.deepEqual([ending?.event, ending?.data], ['progress', closing?.data], 'the job as it ended is a progress event before the end');

    // Connecting late, to the finished job: its final counts, as a progress event, then the end.
    const late = await app.request(`/v1/jobs/${queued.id}/events`, { headers: { Authorization: `Bearer ${key}` } });
    const heard: { event: string; data: JobView }[] = [];
    await readServerSentEvents(late.body as ReadableStream<Uint8Array>, (e) => {
      heard.push({ event: e.event, data: JSON.parse(e.data) as JobView });
    });
    assert.deepEqual(
      heard.map((e) => [e.event, e.data.status, e.data.progress.chunks.done]),
      [
        ['progress', 'completed', 3],
        ['end', 'completed', 3],
      ],
    );
  });

  it('queues each tenant’s monthly re-evaluation once per month, by the month in the tenant’s time zone', async () => {
    const scheduled = async (at: string) => {
      const ids = await queueMonthlyRetiers(f.db.db, new Date(at), 'Asia/Shanghai');
      const keys = [];
      for (const id of ids) {
        const row = await f.db.db.selectFrom('jobs').select(['tenant_id', 'schedule_key']).where('id', '=', id).executeTakeFirstOrThrow();
        keys.push(`${row.tenant_id} ${row.schedule_key}`);
      }
      return keys.sort();
    };
    // 15:30 UTC on 30 November is 23:30 in Shanghai: October is the month that has ended.
    assert.deepEqual(await scheduled('2025-11-30T15:30:00Z'), [
      'bank-a monthly:2025-10',
      'bank-b monthly:2025-10',
      'bank-j monthly:2025-10',
    ]);
    // An hour later it is 1 December there.
    assert.deepEqual(await scheduled('2025-11-30T16:30:00Z'), [
      'bank-a monthly:2025-11',
      'bank-b monthly:2025-11',
      'bank-j monthly:2025-11',
    ]);
    assert.deepEqual(await scheduled('2025-11-30T17:30:00Z'), [], 'once per tenant and month, however often the schedule looks');
    await drainJobs({ ...worker(f), now: () => new Date('2025-12-01T02:00:00Z') });
    const list = (await (await client(f, as).get('/v1/jobs?limit=2')).json()) as { items: JobView[] };
    assert.deepEqual(
      list.items.map((j) => [j.scheduleKey, j.status, j.requestedBy]),
      [
        ['monthly:2025-11', 'completed', 'schedule'],
        ['monthly:2025-10', 'completed', 'schedule'],
      ],
    );
  });

  it('a level an override decided moves away as override-expired when a job re-tiers after the override ends', async () => {
    // Its own tenant: the other tests count bank-j's subjects in their summaries.
    const tenant = 'bank-ox';
    const first = new Date('2025-11-15T04:00:00.000Z');
    const later = new Date('2025-12-15T04:00:00.000Z');
    await provisionTenant(f.db.db, { id: tenant, name: tenant, pack: testPack(), now: first });
    await insertSubjects(
      f.db.db,
      tenant,
      [{ id: 'ox-1', externalId: 'OX1', kind: 'customer', displayName: '王芳', attributes: {} }],
      first.toISOString(),
    );
    await insertMetrics(
      f.db.db,
      ['2025-08', '2025-09', '2025-10', '2025-11'].map((period) => ({
        tenant_id: tenant,
        subject_id: 'ox-1',
        metric: 'avg_daily_balance',
        period,
        value: 0,
      })),
    );
    await insertOverride(
      f.db.db,
      tenant,
      'ox-1',
      {
        id: 'ov-ox',
        scheme: 'retail-tier',
        level: 'diamond',
        mode: 'fixed',
        reason: 'VIP retention',
        expiresAt: '2025-12-01T00:00:00Z',
        requestedBy: 'rm-1',
        approvedBy: 'head-1',
      },
      first.toISOString(),
    );
    for (const [period, now] of [
      ['2025-10', first],
      ['2025-11', later],
    ] as const) {
      await enqueueRetier(f.db.db, { tenantId: tenant, period, now });
      await drainJobs({ ...worker(f), now: () => now });
    }
    const events = await f.db.db
      .selectFrom('tier_events')
      .select(['from_level', 'to_level', 'reason'])
      .where('subject_id', '=', 'ox-1')
      .where('scheme', '=', 'retail-tier')
      .orderBy('period')
      .execute();
    assert.deepEqual(
      events.map((e) => [e.from_level, e.to_level, e.reason]),
      [
        [null, 'diamond', 'override'],
        ['diamond', 'standard', 'override-expired'],
      ],
    );
  });

  it('a job limited to some schemes opens no sign-off of a level it does not store', async () => {
    const tenant = 'bank-j-schemes';
    // Without the risk × value matrix, which reads both: a job for the card tier then writes no AML
    // level (a job writes the schemes connected to the ones asked for, jobs-dependents.test.ts).
    const full = approvalTestPack();
    const pack = { ...full, schemes: full.schemes.filter((s) => s.key !== 'risk-value-test') };
    await provisionTenant(f.db.db, { id: tenant, name: tenant, pack, now: NOW });
    const own = (await createApiKey(f.db.db, { tenantId: tenant, role: 'officer', label: 'jobs', now: NOW })).secret;
    const api = client(f, () => own);
    await api.customer('F1');
    const put = await api.put('/v1/subjects/F1/metrics', {
      metrics: [
        { metric: 'aml_customer_risk', period: '2025-10', value: 10 },
        { metric: 'avg_daily_balance', period: '2025-10', value: 100_000 },
      ],
    });
    assert.equal(put.status, 200, await put.clone().text());
    // Loaded, not evaluated: a November score that makes them AML "high", which needs a sign-off.
    await load(f.db, tenant, 'F1', [
      ['aml_customer_risk', '2025-11', 95],
      ['avg_daily_balance', '2025-11', 100_000],
    ]);
    const queued = await job(
      await api.post('/v1/jobs', {
        kind: 'retier',
        period: '2025-11',
        allowOpenMonth: true,
        schemes: ['retail-tier'],
        filter: { subjects: ['F1'] },
      }),
      201,
    );
    await drainJobs(worker(f));
    const done = await job(await api.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed');
    assert.equal(done.summary.approvalRequired, 0);
    const aml = (await (await api.get('/v1/subjects/F1/tiers?scheme=aml-test')).json()) as {
      assignments: { level: string; period: string; approvalRequired: boolean }[];
    };
    assert.deepEqual(
      aml.assignments.map((a) => [a.level, a.period, a.approvalRequired]),
      [['low', '2025-10', false]],
      'AML was not the job’s: left as it was',
    );
    // Before the fix: a pending sign-off of "high", a level the job never stored.
    assert.equal((await api.get('/v1/subjects/F1/levels/aml-test/approval')).status, 404);
    const queue = (await (await api.get('/v1/approvals')).json()) as { items: unknown[] };
    assert.deepEqual(queue.items, []);

    // The same month for AML: now the level is stored, and its sign-off opens.
    const amlJob = await job(
      await api.post('/v1/jobs', {
        kind: 'retier',
        period: '2025-11',
        allowOpenMonth: true,
        schemes: ['aml-test'],
        filter: { subjects: ['F1'] },
      }),
      201,
    );
    await drainJobs(worker(f));
    assert.equal((await job(await api.get(`/v1/jobs/${amlJob.id}`))).summary.approvalRequired, 1);
    const pending = (await (await api.get('/v1/subjects/F1/levels/aml-test/approval')).json()) as { level: string };
    assert.equal(pending.level, 'high');
  });
});
