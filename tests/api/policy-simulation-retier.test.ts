import assert from 'node:assert/strict';
import { it } from 'node:test';
import { drainJobs, type JobView } from '@tierkit/api';
import type { PolicySimulation, TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId, upsertMetrics } from '@tierkit/db';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

/**
 * Average daily balances (yuan) June–October 2025, written month by month as the monthly batch does
 * (each month judged from the one before: levels and grace counters stored through October), and
 * November's, loaded afterwards without a re-tier. Gold needs a 3-month average of ¥50,000 (the draft:
 * ¥60,000) and drops after 3 consecutive months below it. By hand, November under the draft:
 */
const BOOK: [id: string, junToOct: number[], nov: number][] = [
  // Standard until September; October averages 55k: upgraded last month. November (0+165+30)/3 = 65k ≥ 60k:
  // stays gold. (Judging October again from September's state, as the simulation did, "drops" them.)
  ['U1', [0, 0, 0, 0, 165_000], 30_000],
  // Gold since July; November (90+50+20)/3 ≈ 53.3k: below the new line for the first month, held by the grace (2 more months).
  ['H1', [90_000, 90_000, 90_000, 90_000, 50_000], 20_000],
  // Gold since July, below the old line in September and October (held, 2 months below); November 55k: above
  // the old line, below the new one for a third month: moves to standard now.
  ['M1', [90_000, 90_000, 0, 0, 0], 165_000],
  // Standard; November (0+0+195)/3 = 65k: up to gold.
  ['S1', [0, 0, 0, 0, 0], 195_000],
  ['P1', [10_000, 10_000, 10_000, 10_000, 10_000], 10_000],
];
const MONTHS = ['2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];

interface Version {
  version: number;
  contentHash: string | null;
  document: unknown;
}

const cellsOf = (s: PolicySimulation) => s.cells.map((c) => `${c.from}→${c.to}:${c.count}:${[...c.samples].sort().join(',')}`);

forEachDialect('policy simulation: what the next re-tier does with the version in force', (f) => {
  const as = (role: 'officer' | 'analyst' | 'approver') => client(f, () => f.keys.roles[role]);

  it('counts, samples and the grace-held equal what the re-tier job then does, from each customer’s stored state', async () => {
    const officer = as('officer');
    for (const [id, balances] of BOOK) {
      await ok(await officer.put(`/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' }), 201);
      for (const [i, period] of MONTHS.entries()) {
        await ok(
          await officer.put(`/v1/subjects/${id}/metrics`, {
            metrics: [{ metric: 'avg_daily_balance', period, value: (balances[i] ?? 0) * 100 }],
          }),
        );
      }
    }
    const levels = async () => {
      const out: Record<string, string> = {};
      for (const [id] of BOOK) {
        const t = await ok<TiersResponse>(await officer.get(`/v1/subjects/${id}/tiers?scheme=retail-tier`));
        out[id] = `${t.assignments[0]?.level}@${t.assignments[0]?.explanation.asOf}`;
      }
      return out;
    };
    assert.deepEqual(await levels(), {
      U1: 'gold@2025-10',
      H1: 'gold@2025-10',
      M1: 'gold@2025-10',
      S1: 'standard@2025-10',
      P1: 'standard@2025-10',
    });

    // Gold from ¥60,000 instead of ¥50,000.
    const draft = await ok<Version>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const doc = JSON.parse(JSON.stringify(draft.document).replace('5000000', '6000000')) as unknown;
    await ok(await officer.put(`/v1/policies/retail-tier/versions/${draft.version}`, { document: doc }));
    const simulate = async () =>
      ok<PolicySimulation>(await as('analyst').post(`/v1/policies/retail-tier/versions/${draft.version}/simulate`, { samplesPerCell: 10 }));

    // November not loaded yet: the next re-tier is November's, October's figures stand in for it.
    // U1 (0+165+165)/3 = 110k and H1 (90+50+50)/3 ≈ 63.3k stay gold; M1's third month below moves it.
    const early = await simulate();
    assert.equal(early.period, '2025-11');
    assert.equal(early.dataPeriod, '2025-10');
    assert.deepEqual(cellsOf(early), ['standard→standard:2:P1,S1', 'gold→standard:1:M1', 'gold→gold:2:H1,U1']);
    assert.deepEqual(early.held, { total: 0, cells: [] });

    // November's data loaded by the bank's feed, not re-tiered yet.
    for (const [id, , nov] of BOOK) {
      const s = await findSubjectByExternalId(f.db.db, 'bank-a', id);
      assert.ok(s);
      await upsertMetrics(
        f.db.db,
        'bank-a',
        s.id,
        [{ metric: 'avg_daily_balance', period: '2025-11', value: nov * 100 }],
        NOW.toISOString(),
      );
    }
    const sim = await simulate();
    assert.equal(sim.period, '2025-11');
    assert.equal(sim.dataPeriod, '2025-11');
    assert.deepEqual(cellsOf(sim), ['standard→standard:1:P1', 'standard→gold:1:S1', 'gold→standard:1:M1', 'gold→gold:2:H1,U1']);
    assert.deepEqual([sim.total, sim.upgraded, sim.downgraded, sim.unchanged], [5, 1, 1, 3]);
    assert.deepEqual(sim.held, {
      total: 1,
      cells: [{ level: 'gold', to: 'standard', monthsLeft: 2, dropsIn: '2026-01', count: 1, samples: ['H1'] }],
    });
    assert.deepEqual(sim.before, [
      { level: 'standard', count: 2 },
      { level: 'gold', count: 3 },
    ]);
    assert.deepEqual(sim.after, [
      { level: 'standard', count: 2 },
      { level: 'gold', count: 3 },
    ]);

    // The independent path: approve it from November, run November's re-tier, read what it did.
    const submitted = await ok<Version>(await officer.post(`/v1/policies/retail-tier/versions/${draft.version}/submit`, {}));
    await ok(
      await as('approver').post(`/v1/policies/retail-tier/versions/${draft.version}/approve`, {
        contentHash: submitted.contentHash,
        effectiveFrom: '2025-11-01',
        // The month under way, judged again at once: the approver says so (the default is next month).
        confirmRetier: true,
      }),
    );
    const queued = await ok<JobView>(
      await officer.post('/v1/jobs', { kind: 'retier', period: '2025-11', allowOpenMonth: true, schemes: ['retail-tier'] }),
      201,
    );
    await drainJobs({ db: f.db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    const done = await ok<JobView>(await officer.get(`/v1/jobs/${queued.id}`));
    assert.equal(done.status, 'completed');
    const matrix = done.summary.matrix
      .filter((c) => c.scheme === 'retail-tier')
      .map((c) => `${c.from ?? 'none'}→${c.to}:${c.count}`)
      .sort();
    assert.deepEqual(matrix, sim.cells.map((c) => `${c.from}→${c.to}:${c.count}`).sort());
    const after = await levels();
    for (const c of sim.cells) for (const id of c.samples) assert.equal(after[id], `${c.to}@2025-11`, id);
    const h1 = await ok<TiersResponse>(await officer.get('/v1/subjects/H1/tiers?scheme=retail-tier'));
    assert.equal(h1.assignments[0]?.explanation.decidedBy.kind, 'hysteresis');
    assert.equal(h1.assignments[0]?.retention?.periodsBelow, 1, 'held in the grace, as the simulation said');
  });

  it('a month that is no month is a 400 naming the field; a month named is the one judged', async () => {
    const analyst = as('analyst');
    for (const period of ['2025-13', '2025-1', 'next', '9999-12']) {
      const p = await problem(await analyst.post('/v1/policies/retail-tier/versions/1/simulate', { period }), 400);
      assert.equal(p.type, 'https://tierkit.dev/problems/validation');
      assert.ok(JSON.stringify(p).includes('period'), JSON.stringify(p));
    }
    // The book above, re-tiered through November: December asked for, November's figures stand in.
    const sim = await ok<PolicySimulation>(await analyst.post('/v1/policies/retail-tier/versions/1/simulate', { period: '2025-12' }));
    assert.equal(sim.period, '2025-12');
    assert.equal(sim.dataPeriod, '2025-11');
    // Both ends: November (the latest judged) may be judged again; before it, or after December (the
    // next re-tier's and the month after the current one), is refused: each month carried forward costs
    // every subject, and 9999-12 exhausted the server.
    assert.equal(
      (await ok<PolicySimulation>(await analyst.post('/v1/policies/retail-tier/versions/1/simulate', { period: '2025-11' }))).period,
      '2025-11',
    );
    for (const [period, bound] of [
      ['2025-10', { minimum: '2025-11', maximum: '2025-12' }],
      ['2026-01', { minimum: '2025-11', maximum: '2025-12' }],
      ['2999-12', { minimum: '2025-11', maximum: '2025-12' }],
    ] as const) {
      const p = await problem(await analyst.post('/v1/policies/retail-tier/versions/1/simulate', { period }), 422);
      const e = p.errors?.[0];
      assert.equal(e?.path, 'period', JSON.stringify(p));
      assert.equal(e?.code, 'period_out_of_range');
      assert.deepEqual(e?.params, { ...bound, value: period });
    }
  });
});
