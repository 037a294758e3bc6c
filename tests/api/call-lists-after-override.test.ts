import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { approvedOverride, fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Page {
  items: { id: string; standing?: { period: string } | null }[];
}

const months = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}`);

/**
 * The call lists read the scheme's latest re-tier, which a decision on one customer does not move
 * (packages/api/README.md, "Staff and books"). A month-end re-tier moves D1 and D2 down; next month's
 * figures are imported (not yet re-tiered) and an override of K1 is approved: its re-evaluation reads
 * K1's newest month and stores K1's levels at it. The list the RM works from must still be the
 * re-tier's, not an empty month only K1 reached — nor after a metric write or a job for K1 alone:
 * only a job with no filter moves the month.
 */
forEachDialect('call lists after an override is approved in the month', (f) => {
  let t: FourEyesTenant;
  const ids = async (query: string) =>
    (await ok<Page>(await t.req('viewer', 'GET', `/v1/subjects?scheme=retail-tier&${query}`))).items.map((s) => s.id);
  const balances = (id: string, entries: readonly [string, number][]) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
      metrics: entries.map(([period, yuan]) => ({ metric: 'avg_daily_balance', period, value: yuan * 100 })),
    });
  const imported = async (csv: string) => {
    const res = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer}` },
      body: `subject,metric,period,value\n${csv}`,
    });
    assert.equal(res.status, 201, await res.text());
  };

  before(async () => {
    t = await fourEyesTenant(f, 'lists-override', START);
    for (const id of ['D1', 'D2', 'K1'])
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '陶怡' }), 201);
    // Platinum, then below the line: D1 and D2 fall at the 2025-09 re-tier; K1 stays gold all along.
    for (const id of ['D1', 'D2']) {
      for (const p of months(4, 6)) await ok(await balances(id, [[p, 400_000]]));
      for (const p of months(7, 8)) await ok(await balances(id, [[p, 0]]));
    }
    for (const p of months(4, 8)) await ok(await balances('K1', [[p, 50_000]]));
    // 2025-09's figures come by import, and the month-end job re-tiers them.
    await imported('D1,avg_daily_balance,2025-09,0\nD2,avg_daily_balance,2025-09,0\nK1,avg_daily_balance,2025-09,5000000');
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-09', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
  });

  it('lists who moved at the month-end re-tier', async () => {
    assert.deepEqual(await ids('change=down'), ['D1', 'D2']);
  });

  it('still lists them once an override is approved for a customer whose next month is imported, not re-tiered', async () => {
    await imported('K1,avg_daily_balance,2025-10,5000000');
    await approvedOverride(t, 'K1', { level: 'platinum' });
    const k1 = await ok<{ assignments: { scheme: string; period: string }[] }>(await t.req('viewer', 'GET', '/v1/subjects/K1/tiers'));
    assert.equal(
      k1.assignments.find((a) => a.scheme === 'retail-tier')?.period,
      '2025-10',
      'the approval evaluated K1 at its newest month',
    );
    assert.deepEqual(await ids('change=down'), ['D1', 'D2'], 'the 2025-09 re-tier’s call list');
    const page = await ok<Page>(await t.req('viewer', 'GET', '/v1/subjects?scheme=retail-tier&change=down&levelOf=retail-tier'));
    assert.deepEqual(
      page.items.map((s) => s.standing?.period),
      ['2025-09', '2025-09'],
    );
  });

  it('still lists them after a metric write re-evaluates one customer at their imported next month', async () => {
    await ok(await balances('K1', [['2025-10', 50_000]]));
    assert.deepEqual(await ids('change=down'), ['D1', 'D2'], 'one customer’s write is no re-tier of the book');
  });

  it('still lists them after a re-tier job for one customer at the next month', async () => {
    await ok(
      await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', filter: { subjects: ['K1'] }, reason: 'K1 补录' }),
      201,
    );
    await drainJobs({ db: f.db.db, now: () => START });
    assert.deepEqual(await ids('change=down'), ['D1', 'D2'], 'a filtered job is no month-end re-tier');
  });

  it('moves to the next month once its re-tier runs', async () => {
    await imported('D1,avg_daily_balance,2025-10,0\nD2,avg_daily_balance,2025-10,40000000');
    await ok(await t.req('officer', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }), 201);
    await drainJobs({ db: f.db.db, now: () => START });
    assert.deepEqual(await ids('change=down'), [], 'nobody fell at 2025-10');
    // K1 moved up in 2025-10 by the override, which the month's re-tier keeps.
    assert.deepEqual(await ids('change=up'), ['D2', 'K1']);
  });
});
