import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp, drainJobs, enqueueRetier } from '@tierkit/api';
import { findSubjectByExternalId, insertMetrics } from '@tierkit/db';
import { authHeader, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

/*
 * A metrics write re-evaluates each scheme at the latest month with data of a metric that scheme
 * reads, not every scheme at the latest month of any metric: an AML score written for December moves
 * the AML grade (and the risk × value matrix that reads it) to December, while the card tier stays at
 * November until December's balances come — it is not judged on a December with no balance.
 *
 * Card tier (retail-tier): gold from a 3-month average daily balance of ¥50,000, a missing month
 * counting as zero; a downgrade after 3 consecutive months below. AML (aml-test): high from a score
 * of 80, the latest score however old.
 */

interface Assignment {
  scheme: string;
  level: string;
  period: string;
  retention: { periodsBelow: number } | null;
}

forEachDialect('a metrics write moves each scheme to the months of its own data', (f: ApiFixture) => {
  // The bank's clock: mid-March 2026, so writes for December to February are for past months.
  const app = () => createApp({ db: f.db.db, now: () => new Date('2026-03-10T02:00:00.000Z'), logError: () => undefined });
  const put = async (path: string, body: unknown) => {
    const res = await app().request(path, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...authHeader(f) },
      body: JSON.stringify(body),
    });
    assert.ok(res.status < 300, await res.text());
  };
  const balance = (period: string, yuan: number) => ({ metric: 'avg_daily_balance', period, value: yuan * 100 });
  const aml = (period: string, score: number) => ({ metric: 'aml_customer_risk', period, value: score });
  const tiers = async (id: string) => {
    const res = await app().request(`/v1/subjects/${id}/tiers`, { headers: authHeader(f) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { asOf: string; assignments: Assignment[] };
    const by = Object.fromEntries(body.assignments.map((a) => [a.scheme, a]));
    return { asOf: body.asOf, retail: by['retail-tier'], aml: by['aml-test'], matrix: by['risk-value-test'] };
  };
  const history = async (id: string, scheme: string) => {
    const res = await app().request(`/v1/subjects/${id}/history?scheme=${scheme}`, { headers: authHeader(f) });
    const body = (await res.json()) as { items: { from: string | null; to: string; period: string }[] };
    return body.items.map((e) => `${e.from}→${e.to}@${e.period}`);
  };

  it('AML scores for months whose balances have not come leave the card tier at its own month, and never downgrade it', async () => {
    await put('/v1/subjects/MW1', { kind: 'customer', displayName: '陈静' });
    // ¥60,000 in September, October and November: average ¥60,000 ≥ ¥50,000, gold.
    await put('/v1/subjects/MW1/metrics', {
      metrics: [balance('2025-09', 60_000), balance('2025-10', 60_000), balance('2025-11', 60_000), aml('2025-11', 10)],
    });
    let t = await tiers('MW1');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.aml?.level, t.aml?.period], ['gold', '2025-11', 'low', '2025-11']);

    // Monthly AML scores for December, January and February, before any balance of those months.
    // Judged at those months the card tier would read (60,000 + 60,000 + 0) / 3 = 40,000 in December,
    // 20,000 in January and 0 in February — three months below, a downgrade to standard. It is judged
    // at November, its latest month with a balance: still gold, no month counted below.
    for (const [period, score] of [
      ['2025-12', 20],
      ['2026-01', 30],
      ['2026-02', 90],
    ] as const) {
      await put('/v1/subjects/MW1/metrics', { metrics: [aml(period, score)] });
    }
    t = await tiers('MW1');
    assert.equal(t.asOf, '2026-02');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2025-11', 0]);
    // The AML grade follows its scores to February (90 ≥ 80: high), and the matrix that reads it too.
    assert.deepEqual([t.aml?.level, t.aml?.period], ['high', '2026-02']);
    assert.deepEqual([t.matrix?.level, t.matrix?.period], ['observe', '2026-02']);
    assert.deepEqual(await history('MW1', 'retail-tier'), ['null→gold@2025-11']);
    assert.deepEqual(await history('MW1', 'aml-test'), ['low→high@2026-02', 'null→low@2025-11']);

    // December's balance arrives (¥30,000): the card tier moves to December alone. Average of October
    // to December = (60,000 + 60,000 + 30,000) / 3 = 50,000 ≥ 50,000: still gold.
    await put('/v1/subjects/MW1/metrics', { metrics: [balance('2025-12', 30_000)] });
    t = await tiers('MW1');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2025-12', 0]);
    assert.deepEqual([t.aml?.level, t.aml?.period], ['high', '2026-02']);

    // January's (¥20,000: (60,000 + 30,000 + 20,000) / 3 = 36,667 < 50,000): the first
    // month below, counted once — the downgrade waits for two more.
    await put('/v1/subjects/MW1/metrics', { metrics: [balance('2026-01', 20_000)] });
    t = await tiers('MW1');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2026-01', 1]);
    assert.deepEqual(await history('MW1', 'retail-tier'), ['null→gold@2025-11']);
  });

  it('a re-tier job at the month carries every scheme there from its own month, counting each month once', async () => {
    await put('/v1/subjects/MW2', { kind: 'customer', displayName: '刘洋' });
    // ¥60,000 in August to October: gold. November ¥20,000: (60,000 + 60,000 + 20,000) / 3 = 46,667
    // < 50,000, the first month below. Then an AML score for December only.
    await put('/v1/subjects/MW2/metrics', {
      metrics: [balance('2025-08', 60_000), balance('2025-09', 60_000), balance('2025-10', 60_000)],
    });
    await put('/v1/subjects/MW2/metrics', { metrics: [balance('2025-11', 20_000)] });
    await put('/v1/subjects/MW2/metrics', { metrics: [aml('2025-12', 10)] });
    let t = await tiers('MW2');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2025-11', 1]);
    assert.deepEqual([t.aml?.level, t.aml?.period], ['low', '2025-12']);
    // The bank re-tiers December without a December balance for MW2: the card tier steps on from its
    // November state — (60,000 + 20,000 + 0) / 3 = 26,667 < 50,000, the second month below, still gold
    // (counted from the state before November it would say one).
    const job = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-12', now: new Date('2026-03-10T02:00:00.000Z') });
    assert.ok(job);
    await drainJobs({ db: f.db.db, now: () => new Date('2026-03-10T02:00:00.000Z'), logError: (e: unknown) => assert.fail(String(e)) });
    t = await tiers('MW2');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2025-12', 2]);
    assert.deepEqual([t.aml?.level, t.aml?.period], ['low', '2025-12']);
    // The same month again changes nothing, and counts nothing twice.
    const again = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-12', now: new Date('2026-03-10T02:00:00.000Z') });
    assert.ok(again);
    await drainJobs({ db: f.db.db, now: () => new Date('2026-03-10T02:00:00.000Z'), logError: (e: unknown) => assert.fail(String(e)) });
    t = await tiers('MW2');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2025-12', 2]);
  });

  it('a re-tier job at an earlier month judges the schemes still behind it and leaves those already past it as they are', async () => {
    await put('/v1/subjects/MW3', { kind: 'customer', displayName: '赵敏' });
    await put('/v1/subjects/MW3/metrics', {
      metrics: [balance('2025-08', 60_000), balance('2025-09', 60_000), balance('2025-10', 60_000)],
    });
    await put('/v1/subjects/MW3/metrics', { metrics: [aml('2025-12', 90)] });
    // November's balance comes with the warehouse load (no evaluation), then the bank re-tiers November.
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'MW3');
    assert.ok(subject);
    await insertMetrics(f.db.db, [
      { tenant_id: 'bank-a', subject_id: subject.id, metric: 'avg_daily_balance', period: '2025-11', value: 6_000_000 },
    ]);
    let t = await tiers('MW3');
    assert.deepEqual([t.retail?.period, t.aml?.level, t.aml?.period], ['2025-10', 'high', '2025-12']);
    const job = await enqueueRetier(f.db.db, { tenantId: 'bank-a', period: '2025-11', now: new Date('2026-03-10T02:00:00.000Z') });
    assert.ok(job);
    await drainJobs({ db: f.db.db, now: () => new Date('2026-03-10T02:00:00.000Z'), logError: (e: unknown) => assert.fail(String(e)) });
    // The card tier moves to November: (60,000 × 3) / 3 = 60,000, gold. The AML grade, judged at
    // December on a score the job did not read, is left as it was.
    t = await tiers('MW3');
    assert.deepEqual([t.retail?.level, t.retail?.period, t.retail?.retention?.periodsBelow], ['gold', '2025-11', 0]);
    assert.deepEqual([t.aml?.level, t.aml?.period, t.matrix?.period], ['high', '2025-12', '2025-12']);
    // Its history: low while it had no score (judged with the balances in October), high from December's.
    assert.deepEqual(await history('MW3', 'aml-test'), ['low→high@2025-12', 'null→low@2025-10']);
  });
});
