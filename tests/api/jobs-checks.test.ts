import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp } from '@tierkit/api';
import { NOW, authHeader, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * What an operations team running the monthly re-tier meets on `/v1/jobs`: whether the server it asks
 * runs the monthly schedule at all.
 */

forEachDialect('re-tier jobs for an operations team', (f: ApiFixture) => {
  const schedule = async (app: ReturnType<typeof createApp>) => {
    const res = await app.request('/v1/jobs/schedule', { headers: authHeader(f, () => f.keys.roles.viewer) });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { running: boolean; settleMinutes: number; overdueDays: number; months: { state: string }[] };
  };

  it('GET /v1/jobs/schedule says whether the server that answers runs the schedule: only when its embedder says so', async () => {
    // An app alone starts no schedule: a server with TIERKIT_SCHEDULE=off must not look like one that runs it.
    const plain = await schedule(f.app);
    assert.equal(plain.running, false);
    assert.equal(plain.months.length, 1, 'what the month waits for is still said');
    const off = await schedule(createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, schedule: { running: false } }));
    assert.equal(off.running, false);
    const on = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined, schedule: { running: true, settleMinutes: 5 } });
    const said = await schedule(on);
    assert.deepEqual([said.running, said.settleMinutes, said.overdueDays], [true, 5, 7]);
  });
});
