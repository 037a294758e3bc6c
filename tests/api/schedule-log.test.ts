import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp, drainJobs, provisionTenant, startMonthlySchedule } from '@tierkit/api';
import { createImport } from '@tierkit/db';
import { NOW, forEachDialect } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';

/*
 * The schedule's log, as an operator reads it: one line each time a tenant's month changes state —
 * settling until …, an import running, queued, done. An operator saw `cmb 2026-11 waits: import … is
 * still running` as the last word long after the import had ended and the month had been re-tiered.
 */
forEachDialect('the schedule log', (f) => {
  it('says each change of a month: settling, an import running, queued, done — never a wait that ended as the last word', async () => {
    await provisionTenant(f.db.db, { id: 'bank-l', name: 'bank-l', pack: testPack(), now: NOW });
    const officer = (await createApiKey(f.db.db, { tenantId: 'bank-l', role: 'officer', label: 'ops', now: NOW })).secret;
    const at = new Date('2025-12-01T04:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => at, logError: () => undefined });
    const put = (path: string, body: unknown) =>
      app.request(path, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${officer}` },
        body: JSON.stringify(body),
      });
    assert.equal((await put('/v1/subjects/S1', { kind: 'customer', displayName: '周杰' })).status, 201);
    for (const [metric, value] of [
      ['aml_customer_risk', 30],
      ['lounge_visits', 1],
      ['avg_daily_balance', 9_000_000],
    ] as const)
      assert.equal((await put('/v1/subjects/S1/metrics', { metrics: [{ metric, period: '2025-11', value }] })).status, 200);
    const lines: string[] = [];
    const errors: unknown[] = [];
    let clock = new Date('2025-12-01T04:05:00.000Z');
    const schedule = startMonthlySchedule({
      db: f.db.db,
      timeZone: 'Asia/Shanghai',
      now: () => clock,
      intervalMs: 20,
      settleMinutes: 10,
      log: (l) => l.includes(' bank-l 2025-11 ') && lines.push(l),
      logError: (e) => errors.push(e),
    });
    const said = async (n: number) => {
      for (const deadline = Date.now() + 15_000; lines.length < n; ) {
        if (Date.now() > deadline) assert.fail(`waited for line ${n}: ${JSON.stringify(lines)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return lines[n - 1] ?? '';
    };
    try {
      assert.match(await said(1), /bank-l 2025-11 waits: metrics for 2025-11 still arriving .* queued at 2025-12-01T04:11:00\.000Z/);
      await createImport(f.db.db, {
        id: 'IMP-LATE',
        tenantId: 'bank-l',
        kind: 'metrics',
        options: {},
        fileName: 'november.csv',
        createdBy: 'key:ops',
        createdAt: '2025-12-01T04:20:00.000Z',
      });
      clock = new Date('2025-12-01T04:30:00.000Z');
      assert.match(await said(2), /bank-l 2025-11 waits: import IMP-LATE is still running/);
      await f.db.db
        .updateTable('imports')
        .set({ status: 'failed', finished_at: '2025-12-01T04:40:00.000Z' })
        .where('id', '=', 'IMP-LATE')
        .execute();
      clock = new Date('2025-12-01T05:00:00.000Z');
      const queued = /bank-l 2025-11 queued as (\S+)$/.exec(await said(3));
      assert.ok(queued, lines.join('\n'));
      await drainJobs({ db: f.db.db, now: () => clock, logError: (e: unknown) => assert.fail(String(e)) });
      assert.equal(await said(4), `tierkit schedule: bank-l 2025-11 done: re-tiered by ${queued[1]}`);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(lines.length, 4, `each state said once: ${JSON.stringify(lines)}`);
      assert.deepEqual(errors, []);
    } finally {
      schedule.stop();
      // A look in flight ends before the fixture closes the database.
      await new Promise((r) => setTimeout(r, 300));
    }
  });
});
