import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The timeout only ends the run if a job is never worked on (the wait would go on for ever).
it('serve runs a bank tenant as it is and works its re-tier jobs, as npm start does', { timeout: 120_000 }, async () => {
  const database = join(dir, 'serve.db');
  const quiet = () => undefined;
  assert.equal(await run(['tenants', 'create', 'acme', '--name', 'Acme Bank', '--database', database], quiet), 0);
  const created: string[] = [];
  assert.equal(
    await run(
      ['keys', 'create', '--tenant', 'acme', '--role', 'admin', '--label', 'ops', '--unowned', '--json', '--database', database],
      (l) => created.push(l),
    ),
    0,
  );
  const { secret } = JSON.parse(created.join('')) as { secret: string };

  const out: string[] = [];
  let serving: (url: string) => void = () => undefined;
  const up = new Promise<string>((resolve) => (serving = resolve));
  // Read by serve from its environment, as the server reads it: said on GET /v1/jobs/schedule.
  process.env.TIERKIT_SCHEDULE_SETTLE_MINUTES = '15';
  const served = run(['serve', '--port', '0', '--tenant', 'acme', '--customers', '5', '--database', database], (l) => {
    out.push(l);
    const url = /tierkit serving (http:\/\/\S+?)\/ /.exec(l)?.[1];
    if (url) serving(url.replace('localhost', '127.0.0.1'));
  });
  const base = await up;
  try {
    const call = (path: string, init: RequestInit = {}) =>
      fetch(base + path, {
        ...init,
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
    assert.match(out.join('\n'), /tenant "acme" was set up without demo data/);
    // serve runs the schedule (TIERKIT_SCHEDULE on by default) and tells the API so, with its timing:
    // without it the API could only say it does not know (running null).
    const schedule = (await (await call('/v1/jobs/schedule')).json()) as { running: boolean | null; settleMinutes: number };
    assert.deepEqual([schedule.running, schedule.settleMinutes], [true, 15]);
    assert.deepEqual(await (await call('/v1/subjects')).json(), { items: [], nextCursor: null }, 'no demo customers in the bank');

    assert.equal(
      (await call('/v1/subjects/K1', { method: 'PUT', body: JSON.stringify({ kind: 'customer', displayName: '赵六' }) })).status,
      201,
    );
    // October's data first: a month with none is refused (422 period-without-data).
    const metrics = { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 5_000_000 }] };
    assert.equal((await call('/v1/subjects/K1/metrics', { method: 'PUT', body: JSON.stringify(metrics) })).status, 200);
    const queued = await call('/v1/jobs', { method: 'POST', body: JSON.stringify({ kind: 'retier', period: '2025-10' }) });
    assert.equal(queued.status, 201, await queued.clone().text());
    const { id } = (await queued.json()) as { id: string };
    // On SQLite the server's own worker runs it; the events stream ends when the job does.
    const events = await (await call(`/v1/jobs/${id}/events`)).text();
    assert.match(events, /event: end\ndata: \{[^\n]*"status":"completed"/);
  } finally {
    delete process.env.TIERKIT_SCHEDULE_SETTLE_MINUTES;
    process.emit('SIGTERM');
    assert.equal(await served, 0);
  }
});
