import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp } from '@tierkit/api';
import type { ProblemFieldError } from '@tierkit/core';
import { NOW, authHeader, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';
import type { QueuedJob } from '@tierkit/api';
import type { QueuedJob as WireQueuedJob } from '@tierkit/core';

// One QueuedJob: what the API exports is core's wire type, not a look-alike of another shape (tsc fails here on two).
const oneQueuedJob: [QueuedJob] extends [WireQueuedJob] ? ([WireQueuedJob] extends [QueuedJob] ? true : false) : false = true;
void oneQueuedJob;

/*
 * What an operations team running the monthly re-tier meets on `/v1/jobs`: whether the server it asks
 * runs the monthly schedule at all, and a refused job's fields with a stable code and params
 * (packages/api README, "Errors"), so the console says them in the staff's language.
 */

/** The field errors of the 400 `res` is, as `path → [code, params]`. */
async function codes(res: Response | Promise<Response>, status = 400): Promise<Record<string, [unknown, unknown]>> {
  const p = await problem(await res, status);
  const out: Record<string, [unknown, unknown]> = {};
  for (const e of (p.errors ?? []) as ProblemFieldError[]) {
    assert.ok(e.message, 'the English stays beside the code');
    out[e.path] = [e.code, e.params];
  }
  return out;
}

forEachDialect('re-tier jobs for an operations team', (f: ApiFixture) => {
  const api = client(f);
  const schedule = async (app: ReturnType<typeof createApp>) => {
    const res = await app.request('/v1/jobs/schedule', { headers: authHeader(f, () => f.keys.roles.viewer) });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { running: boolean | null; settleMinutes: number; overdueDays: number; months: { state: string }[] };
  };

  it('GET /v1/jobs/schedule says whether the server that answers runs the schedule: only when its embedder says so', async () => {
    // An app alone starts no schedule, but its embedder may run startMonthlySchedule beside it: unsaid,
    // neither on nor off is claimed.
    const plain = await schedule(f.app);
    assert.equal(plain.running, null);
    assert.equal(plain.months.length, 1, 'what the month waits for is still said');
    const off = await schedule(createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, schedule: { running: false } }));
    assert.equal(off.running, false);
    const on = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, schedule: { running: true, settleMinutes: 5 } });
    const said = await schedule(on);
    assert.deepEqual([said.running, said.settleMinutes, said.overdueDays], [true, 5, 7]);
  });

  it('POST /v1/jobs: a month that is no month or has not begun, unknown schemes, levels and subjects carry a code and params', async () => {
    await api.customer('JC1');
    assert.deepEqual(
      await codes(
        api.post('/v1/jobs', {
          kind: 'retier',
          period: '1999-12',
          schemes: ['retail-tier', 'no-such-scheme'],
          filter: { level: { scheme: 'nope', level: 'gold' }, evaluatedSince: '2025-13' },
        }),
      ),
      {
        // A month before 2000 is a month, too early: too_small, not "not a month".
        period: ['too_small', { minimum: '2000-01', inclusive: true, origin: 'month' }],
        'schemes[1]': ['unknown_scheme', { scheme: 'no-such-scheme' }],
        'filter.level.scheme': ['unknown_scheme', { scheme: 'nope' }],
        'filter.evaluatedSince': ['invalid_format', { format: 'month', value: '2025-13' }],
      },
    );
    const notBegun = await codes(
      api.post('/v1/jobs', { kind: 'retier', period: '2025-12', filter: { level: { scheme: 'retail-tier', level: 'emerald' } } }),
    );
    assert.deepEqual(notBegun.period, ['month_not_begun', { month: '2025-12', current: '2025-11' }]);
    const [levelCode, levelParams] = notBegun['filter.level.level'] ?? [];
    assert.equal(levelCode, 'unknown_level');
    assert.deepEqual((levelParams as { level: string; scheme: string }).level, 'emerald');
    assert.deepEqual((levelParams as { scheme: string }).scheme, 'retail-tier');
    assert.ok((levelParams as { levels: string[] }).levels.length > 0, 'the levels it has');
    assert.equal((await api.balances('JC1', [['2025-10', 80_000]])).status, 200);
    assert.deepEqual(await codes(api.post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: ['JC1', 'JC-none'] } })), {
      'filter.subjects[1]': ['unknown_subject', { subject: 'JC-none' }],
    });
  });

  it('POST /v1/jobs: judged-since a month after the job’s would re-evaluate no one: refused, nothing queued', async () => {
    const before = (await (await api.get('/v1/jobs?limit=100')).json()) as { items: unknown[] };
    assert.deepEqual(await codes(api.post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { evaluatedSince: '2025-11' } })), {
      'filter.evaluatedSince': ['too_big', { maximum: '2025-10', inclusive: true, origin: 'month' }],
    });
    const after = (await (await api.get('/v1/jobs?limit=100')).json()) as { items: unknown[] };
    assert.equal(after.items.length, before.items.length);
    // The month itself is what a policy activation sends: accepted.
    const same = await api.post('/v1/jobs', { kind: 'retier', period: '2025-10', filter: { evaluatedSince: '2025-10' } });
    assert.equal(same.status, 201, await same.clone().text());
  });

  it('POST /v1/jobs: a month with no data at all is a 422 whose field says which month and what it looked for', async () => {
    const p = await problem(await api.post('/v1/jobs', { kind: 'retier', period: '2024-01' }), 422);
    assert.equal(p.type, 'https://tierkit.dev/problems/period-without-data');
    const e = (p.errors ?? []).find((x) => x.path === 'period') as ProblemFieldError | undefined;
    assert.equal(e?.code, 'no_data');
    assert.equal(e?.params?.month, '2024-01');
    assert.ok(Array.isArray(e?.params?.metrics) && e.params.metrics.includes('avg_daily_balance'), JSON.stringify(e?.params));
  });

  it('POST /v1/jobs: the current month, not yet ended, needs allowOpenMonth: true — a 400 month_open otherwise, nothing queued', async () => {
    await api.customer('JO1');
    assert.equal((await api.balances('JO1', [['2025-11', 80_000]])).status, 200);
    const before = (await (await api.get('/v1/jobs?limit=100')).json()) as { items: unknown[] };
    for (const allowOpenMonth of [undefined, false])
      assert.deepEqual(await codes(api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth })), {
        allowOpenMonth: ['month_open', { month: '2025-11', confirm: 'allowOpenMonth' }],
      });
    const after = (await (await api.get('/v1/jobs?limit=100')).json()) as { items: unknown[] };
    assert.equal(after.items.length, before.items.length, 'nothing queued');
    const meant = await api.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true });
    assert.equal(meant.status, 201, await meant.clone().text());
    // A month that has ended needs no confirmation.
    assert.equal((await api.post('/v1/jobs', { kind: 'retier', period: '2025-10' })).status, 201);
  });
});
