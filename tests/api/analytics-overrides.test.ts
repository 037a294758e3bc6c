import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { StaffHistoryResponse } from '@tierkit/core';
import { insertMetrics } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { writeBook, type BookEvent } from '../support/history-book.js';

/*
 * What a monthly report reads when overrides and an unevaluated month are in the book. The fixture
 * lives on 2025-11-15 (Shanghai): 2025-11 is the current month, not re-tiered yet. Every number below
 * was counted by hand from this table:
 *
 *        2025-08    09                      10                          11 (open)
 *   P1   standard   → gold (rules)
 *   P2   gold       → standard (rules)
 *   P3   standard   → gold (override)
 *   P4   standard
 *   P5   standard   → gold (override)       → standard (override ended)
 *   O1                                      standard (its data, by the API)  → gold: override approved 11-15
 *   O2                                      standard (its data, by the API)  → gold → standard: approved, revoked
 *
 *   balances (fen)  09 (band 23)   10
 *   P1              5,000,000      6,000,000
 *   P3              5,000,000      9,000,000
 *   P4              5,000,000      5,500,000
 *   P5              5,000,000      5,000,000
 */
const EVENTS: BookEvent[] = [
  ...['P1', 'P3', 'P4', 'P5'].map((s) => ({ subject: s, period: '2025-08', from: null, to: 'standard', reason: 'initial' as const })),
  { subject: 'P2', period: '2025-08', from: null, to: 'gold', reason: 'initial' },
  { subject: 'P1', period: '2025-09', from: 'standard', to: 'gold' },
  { subject: 'P2', period: '2025-09', from: 'gold', to: 'standard' },
  { subject: 'P3', period: '2025-09', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'P5', period: '2025-09', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'P5', period: '2025-10', from: 'gold', to: 'standard', reason: 'override-expired' },
];
const BALANCES = {
  P1: { '2025-09': 5_000_000, '2025-10': 6_000_000 },
  P3: { '2025-09': 5_000_000, '2025-10': 9_000_000 },
  P4: { '2025-09': 5_000_000, '2025-10': 5_500_000 },
  P5: { '2025-09': 5_000_000, '2025-10': 5_000_000 },
};

forEachDialect('analytics: overrides apart from the policy’s moves, and a month not evaluated yet', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const as = (role: 'officer' | 'approver') => client(f, () => f.keys.roles[role]);
  const override = async (subject: string) => {
    const res = await as('officer').post(`/v1/subjects/${subject}/overrides`, {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });
    assert.equal(res.status, 201);
    const pending = (await res.json()) as { id: string; contentHash: string };
    const approved = await as('approver').post(`/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash });
    assert.equal(approved.status, 200);
    return pending.id;
  };

  before(async () => {
    await writeBook(f.db.db, 'bank-a', { events: EVENTS, metrics: BALANCES });
    const admin = client(f);
    for (const s of ['O1', 'O2']) {
      await admin.customer(s);
      assert.equal((await admin.balances(s, [['2025-10', 0]])).status, 200);
    }
    await override('O1');
    const o2 = await override('O2');
    assert.equal((await as('approver').post(`/v1/overrides/${o2}/revoke`, { note: 'granted in error' })).status, 200);
  });

  it('an override decided in the open month is recorded in it: the month already evaluated keeps its figures', async () => {
    const history = (await (await api.get('/v1/subjects/O2/history?scheme=retail-tier')).json()) as StaffHistoryResponse;
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to, e.reason, e.period]),
      [
        ['gold', 'standard', 'override-expired', '2025-11'],
        ['standard', 'gold', 'override', '2025-11'],
        [null, 'standard', 'initial', '2025-10'],
      ],
    );
    const res = await api.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-08&to=2025-11');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      scheme: 'retail-tier',
      periods: ['2025-08', '2025-09', '2025-10', '2025-11'],
      evaluated: [true, true, true, false],
      evaluatedThrough: '2025-10',
      // October is evaluated but not final: an override approved in November may still set back its moves.
      final: [true, true, false, false],
      versions: [1, 1, 1, 1],
      finalThrough: '2025-09',
      levels: ['standard', 'gold', 'platinum', 'diamond'],
      series: [
        // 10: P2 P4 P5 O1 O2 — O1's override is November's; 11: P2 P4 P5 O2
        { level: 'standard', counts: [4, 2, 5, 4] },
        { level: 'gold', counts: [1, 3, 2, 3] },
        { level: 'platinum', counts: [0, 0, 0, 0] },
        { level: 'diamond', counts: [0, 0, 0, 0] },
      ],
      totals: [5, 5, 7, 7],
    });
  });

  it('rates: the policy’s moves and the overrides’ apart; a month not evaluated has no rate of the policy, never 0 %', async () => {
    const res = await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-09&to=2025-11');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      scheme: 'retail-tier',
      periods: ['2025-09', '2025-10', '2025-11'],
      evaluated: [true, true, false],
      evaluatedThrough: '2025-10',
      final: [true, false, false],
      versions: [1, 1, 1],
      finalThrough: '2025-09',
      base: [5, 5, 7],
      // 09: P1 (rules), P3 and P5 (overrides) up, P2 down; 10: P5's override ended; 11: O1
      upgrades: [3, 0, 1],
      downgrades: [1, 1, 0],
      unranked: [0, 0, 0],
      entered: [0, 2, 0],
      heldByOverride: [0, 0, 0],
      upgradeRate: [0.6, 0, null],
      downgradeRate: [0.2, 0.2, null],
      policy: { upgrades: [1, 0, 0], downgrades: [1, 0, 0], upgradeRate: [0.2, 0, null], downgradeRate: [0.2, 0, null] },
      // 11: 1 / 7
      override: { upgrades: [2, 0, 1], downgrades: [0, 1, 0], upgradeRate: [0.4, 0, 0.1429], downgradeRate: [0, 0.2, 0] },
    });
  });

  it('migration into the open month says it is not evaluated', async () => {
    const body = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-10&to=2025-11')).json();
    assert.equal(body.evaluated, false);
    assert.equal(body.evaluatedThrough, '2025-10');
    assert.deepEqual(body.totals, { both: 7, up: 1, down: 0, same: 6, unranked: 0, heldByOverride: 0, entered: 0 });
    const closed = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    assert.equal(closed.evaluated, true);
  });

  it('effect: movers an override moved are left out by default and counted apart; overrides=include counts them', async () => {
    const res = await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-09&direction=up&months=1');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.overrides, 'exclude');
    assert.equal(body.evaluated, true);
    // P1 moved by the rules; P4 stayed; P3 and P5 moved by overrides.
    assert.deepEqual(body.cohorts, { moved: 1, stayed: 1, overrideMoved: 2, heldByOverride: 0 });
    assert.deepEqual(body.strata, [{ startLevel: 'standard', band: 23, bandMin: 4_194_304, bandMax: 8_388_608, moved: 1, stayed: 1 }]);
    // P1 +1,000,000 against P4 +500,000
    assert.deepEqual(body.matched.effect, [0, 500_000]);

    const all = await (
      await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-09&direction=up&months=1&overrides=include')
    ).json();
    assert.equal(all.overrides, 'include');
    assert.deepEqual(all.cohorts, { moved: 3, stayed: 1, overrideMoved: 0, heldByOverride: 0 });
    // (1,000,000 + 4,000,000 + 0) / 3 = 1,666,666.67 → 1,666,667; effect from the unrounded mean − 500,000
    assert.deepEqual(all.matched.moved.meanChange, [0, 1_666_667]);
    assert.deepEqual(all.matched.effect, [0, 1_166_667]);
  });

  it('effect in the open month: not evaluated, its only mover an override', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-11&direction=up&months=1')).json();
    assert.equal(body.evaluated, false);
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 6, overrideMoved: 1, heldByOverride: 0 });
  });
});

/*
 * An override decided in the open month is recorded in it; the month before can still be evaluated
 * after it (its data came late). Events in the order recorded:
 *
 *   Q1   2025-08 standard · 2025-10 → gold (a floor override, decided in October) · 2025-09 → platinum
 *        (September's data, evaluated after: above the floor, the rules decide)
 *   Q2   2025-08 diamond (override) · 2025-10 → standard (it expired in October) · 2025-09 → gold (September's data)
 *   Q3   2025-08 standard · 2025-09 → gold (nothing late)
 *
 * What each holds from September on is what was recorded last: Q1 platinum, Q2 gold, Q3 gold.
 */
forEachDialect('analytics: a month evaluated after an override of a later month was recorded', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  before(async () => {
    await writeBook(f.db.db, 'bank-a', {
      events: [
        { subject: 'Q1', period: '2025-08', from: null, to: 'standard', reason: 'initial' },
        { subject: 'Q1', period: '2025-10', from: 'standard', to: 'gold', reason: 'override' },
        { subject: 'Q1', period: '2025-09', from: 'gold', to: 'platinum' },
        { subject: 'Q2', period: '2025-08', from: null, to: 'diamond', reason: 'override' },
        { subject: 'Q2', period: '2025-10', from: 'diamond', to: 'standard', reason: 'override-expired' },
        { subject: 'Q2', period: '2025-09', from: 'standard', to: 'gold' },
        { subject: 'Q3', period: '2025-08', from: null, to: 'standard', reason: 'initial' },
        { subject: 'Q3', period: '2025-09', from: 'standard', to: 'gold' },
      ],
    });
  });

  it('the later record is the level held: the superseded override of the later month counts nowhere', async () => {
    const dist = await (await api.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-08&to=2025-11')).json();
    assert.deepEqual(dist.series, [
      { level: 'standard', counts: [2, 0, 0, 0] },
      { level: 'gold', counts: [0, 2, 2, 2] },
      { level: 'platinum', counts: [0, 1, 1, 1] },
      { level: 'diamond', counts: [1, 0, 0, 0] },
    ]);
    const rates = await (await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    assert.deepEqual(rates.upgrades, [2, 0]);
    assert.deepEqual(rates.downgrades, [1, 0]);
    assert.deepEqual(rates.policy.upgrades, [2, 0]);
    assert.deepEqual(rates.override.downgrades, [0, 0], 'the expiry was superseded by September’s evaluation');
    const migration = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    assert.deepEqual(migration.totals, { both: 3, up: 0, down: 0, same: 3, unranked: 0, heldByOverride: 0, entered: 0 });
  });
});

/*
 * A floor override the rules later rank above has not ended: the rules decide the level again, so the
 * move is the policy's. F1: standard by September's data; a floor override to gold approved on 11-15;
 * October's balances then rank it platinum while the override is still in force.
 */
forEachDialect('analytics: a policy move above a floor override still in force is the policy’s', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const as = (role: 'officer' | 'approver') => client(f, () => f.keys.roles[role]);
  before(async () => {
    const admin = client(f);
    await admin.customer('F1');
    assert.equal((await admin.balances('F1', [['2025-09', 0]])).status, 200);
    const res = await as('officer').post('/v1/subjects/F1/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'floor',
      reason: 'VIP retention',
      expiresAt: null,
    });
    assert.equal(res.status, 201);
    const pending = (await res.json()) as { id: string; contentHash: string };
    assert.equal((await as('approver').post(`/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash })).status, 200);
    assert.equal((await admin.balances('F1', [['2025-10', 900_000]])).status, 200);
  });

  it('the history reads `rule`, rates count a policy upgrade and the effect evaluation keeps the mover', async () => {
    const history = (await (await api.get('/v1/subjects/F1/history?scheme=retail-tier')).json()) as StaffHistoryResponse;
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to, e.reason, e.period]),
      [
        ['gold', 'platinum', 'rule', '2025-10'],
        ['standard', 'gold', 'override', '2025-11'],
        [null, 'standard', 'initial', '2025-09'],
      ],
    );
    const rates = await (await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-10&to=2025-10')).json();
    assert.deepEqual(rates.policy.upgrades, [1]);
    assert.deepEqual(rates.override.upgrades, [0]);
    assert.deepEqual(rates.override.downgrades, [0]);
    const effect = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=up&months=1')).json();
    assert.equal(effect.cohorts.overrideMoved, 0);
    assert.equal(effect.cohorts.moved, 1);
  });
});

/*
 * An override approved while months of data wait unevaluated (an import whose re-tier has not run):
 * the approval replays September and October, and the override's move is re-dated to November, the
 * month it was decided in. Its note must say so, not "evaluated 2025-10".
 */
forEachDialect('analytics: a re-dated override event’s note names its month', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const as = (role: 'officer' | 'approver') => client(f, () => f.keys.roles[role]);
  before(async () => {
    const admin = client(f);
    await admin.customer('N1');
    assert.equal((await admin.balances('N1', [['2025-08', 0]])).status, 200);
    // Data written without a re-evaluation, as an import does before its re-tier.
    const { id } = await f.db.db
      .selectFrom('subjects')
      .select('id')
      .where('tenant_id', '=', 'bank-a')
      .where('external_id', '=', 'N1')
      .executeTakeFirstOrThrow();
    await insertMetrics(
      f.db.db,
      ['2025-09', '2025-10'].map((period) => ({ tenant_id: 'bank-a', subject_id: id, metric: 'avg_daily_balance', period, value: 0 })),
    );
    const res = await as('officer').post('/v1/subjects/N1/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });
    assert.equal(res.status, 201);
    const pending = (await res.json()) as { id: string; contentHash: string };
    assert.equal((await as('approver').post(`/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash })).status, 200);
  });

  it('the override’s event is November’s and its note says it was decided then', async () => {
    const history = (await (await api.get('/v1/subjects/N1/history?scheme=retail-tier')).json()) as StaffHistoryResponse;
    assert.deepEqual(
      history.items.map((e) => [e.from, e.to, e.reason, e.period, e.note]),
      [
        ['standard', 'gold', 'override', '2025-11', null],
        [null, 'standard', 'initial', '2025-08', null],
      ],
    );
  });
});
