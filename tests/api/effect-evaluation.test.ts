import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { client, forEachDialect } from '../support/api-fixture.js';
import { writeBook, type BookEvent } from '../support/history-book.js';
import { expectProblems } from '../support/problems.js';

/*
 * Effect evaluation of the moves in 2024-06 on a book worked out by hand. Balances are in fen; the
 * doubling bands they fall in (band b holds 2^(b-1) ≤ v < 2^b):
 *   band 22: 2,097,152 … 4,194,303   band 23: 4,194,304 … 8,388,607
 *   band 24: 8,388,608 … 16,777,215  band 25: 16,777,216 … 33,554,431
 *
 *   subject  level 2024-05 → 2024-06   06 (band)      07           08
 *   E1       standard → gold  (up)     6,000,000 23   6,600,000    7,000,000
 *   E2       standard → gold  (up)     5,000,000 23   5,100,001    —
 *   E6       standard → gold  (up)    20,000,000 25  21,000,000    —          no stayer in its stratum
 *   E7       gold → platinum  (up)     6,000,000 23   6,000,000    6,200,000
 *   E11      standard → gold  (up)     —                                      no baseline
 *   E3       standard stays            5,500,000 23   5,600,000    5,500,000
 *   E4       standard stays            4,500,000 23   4,300,000    4,700,000
 *   E5       standard stays            9,000,000 24   9,900,000    —          no mover in its stratum
 *   E12      standard stays            4,000,000 22   —            —          no mover in its stratum
 *   E8       gold stays                7,000,000 23   7,300,000    7,600,000
 *   E9       gold → standard (down)    6,000,000 23   5,000,000    —
 *   E10      first tiered in 06        6,000,000 23   —            —          no level before: in no cohort
 */
const EVENTS: BookEvent[] = [
  ...['E1', 'E2', 'E6', 'E11'].flatMap((s) => [
    { subject: s, period: '2024-01', from: null, to: 'standard' },
    { subject: s, period: '2024-06', from: 'standard', to: 'gold' },
  ]),
  { subject: 'E7', period: '2024-01', from: null, to: 'gold' },
  { subject: 'E7', period: '2024-06', from: 'gold', to: 'platinum' },
  ...['E3', 'E4', 'E5'].map((s) => ({ subject: s, period: '2024-01', from: null, to: 'standard' })),
  { subject: 'E12', period: '2024-02', from: null, to: 'standard' },
  { subject: 'E8', period: '2024-01', from: null, to: 'gold' },
  { subject: 'E9', period: '2024-01', from: null, to: 'gold' },
  { subject: 'E9', period: '2024-06', from: 'gold', to: 'standard' },
  { subject: 'E10', period: '2024-06', from: null, to: 'gold' },
];

const BALANCES: Record<string, Record<string, number>> = {
  E1: { '2024-05': 1, '2024-06': 6_000_000, '2024-07': 6_600_000, '2024-08': 7_000_000, '2024-09': 1 },
  E2: { '2024-06': 5_000_000, '2024-07': 5_100_001 },
  E6: { '2024-06': 20_000_000, '2024-07': 21_000_000 },
  E7: { '2024-06': 6_000_000, '2024-07': 6_000_000, '2024-08': 6_200_000 },
  E11: { '2024-07': 6_000_000 },
  E3: { '2024-06': 5_500_000, '2024-07': 5_600_000, '2024-08': 5_500_000 },
  E4: { '2024-06': 4_500_000, '2024-07': 4_300_000, '2024-08': 4_700_000 },
  E5: { '2024-06': 9_000_000, '2024-07': 9_900_000 },
  E12: { '2024-06': 4_000_000 },
  E8: { '2024-06': 7_000_000, '2024-07': 7_300_000, '2024-08': 7_600_000 },
  E9: { '2024-06': 6_000_000, '2024-07': 5_000_000 },
  E10: { '2024-06': 6_000_000 },
};

forEachDialect('analytics: effect evaluation against comparable subjects who stayed', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  before(async () => {
    const known = new Set<string>();
    await writeBook(f.db.db, 'bank-a', { events: EVENTS, metrics: BALANCES }, known);
    await writeBook(
      f.db.db,
      'bank-a',
      {
        events: [],
        metric: 'transaction_count',
        metrics: { E1: { '2024-06': 10, '2024-07': 11 }, E2: { '2024-06': 10, '2024-07': 11 }, E6: { '2024-06': 10, '2024-07': 10 } },
      },
      known,
    );
  });

  it('up: movers against stayers of the same level and band, stayers weighted to the movers’ strata', async () => {
    const res = await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=up&months=2');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      scheme: 'retail-tier',
      metric: { key: 'avg_daily_balance', unit: 'money', currency: 'CNY' },
      direction: 'up',
      overrides: 'exclude',
      period: '2024-06',
      evaluated: true,
      evaluatedThrough: '2024-06',
      final: true,
      finalThrough: '2024-06',
      before: '2024-05',
      periods: ['2024-06', '2024-07', '2024-08'],
      monthsAfter: [0, 1, 2],
      monthsAsked: 2,
      monthsAvailable: 2,
      cohorts: { moved: 5, stayed: 5, overrideMoved: 0, heldByOverride: 0 },
      strata: [
        { startLevel: 'standard', band: 22, bandMin: 2_097_152, bandMax: 4_194_304, moved: 0, stayed: 1 },
        { startLevel: 'standard', band: 23, bandMin: 4_194_304, bandMax: 8_388_608, moved: 2, stayed: 2 },
        { startLevel: 'standard', band: 24, bandMin: 8_388_608, bandMax: 16_777_216, moved: 0, stayed: 1 },
        { startLevel: 'standard', band: 25, bandMin: 16_777_216, bandMax: 33_554_432, moved: 1, stayed: 0 },
        { startLevel: 'gold', band: 23, bandMin: 4_194_304, bandMax: 8_388_608, moved: 1, stayed: 1 },
      ],
      // E1 E2 E6 E7 | E1 E2 E6 E7 (38,700,001 / 4; changes 1,700,001 / 4) | E1 E7
      moved: { counts: [4, 4, 2], meanValue: [9_250_000, 9_675_000, 6_600_000], meanChange: [0, 425_000, 600_000] },
      // Stayers of strata with a mover (E5 and E12 have none): E3 E4 E8 (17,000,000 / 3) | 17,200,000 / 3,
      // changes 200,000 / 3 | 17,800,000 / 3, changes 800,000 / 3
      stayed: { counts: [3, 3, 3], meanValue: [5_666_667, 5_733_333, 5_933_333], meanChange: [0, 66_667, 266_667] },
      matched: {
        // 07: standard/23 E1 E2 (+700,001) and gold/23 E7 (0) → 700,001 / 3; 08: E1 (+1,000,000), E7 (+200,000)
        moved: { counts: [3, 3, 2], meanChange: [0, 233_334, 600_000] },
        // 07: (2 × −50,000 + 1 × 300,000) / 3; 08: (1 × 100,000 + 1 × 600,000) / 2
        stayed: { counts: [3, 3, 3], meanChange: [0, 66_667, 350_000] },
        // 07: (700,001 − 200,000) / 3 = 166,667; 08: (1,200,000 − 700,000) / 2
        effect: [0, 166_667, 250_000],
      },
    });
  });

  it('down: the one mover against its gold stayer', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&months=1')).json();
    assert.deepEqual(body.cohorts, { moved: 1, stayed: 5, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.matched, {
      moved: { counts: [1, 1], meanChange: [0, -1_000_000] },
      stayed: { counts: [1, 1], meanChange: [0, 300_000] },
      effect: [0, -1_300_000],
    });
  });

  it('a count metric: means to two decimals; months with no data are null, not zero', async () => {
    const body = await (
      await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=up&months=3&metric=transaction_count')
    ).json();
    assert.deepEqual(body.metric, { key: 'transaction_count', unit: 'count' });
    assert.deepEqual(body.moved, { counts: [3, 3, 0, 0], meanValue: [10, 10.67, null, null], meanChange: [0, 0.67, null, null] });
    assert.deepEqual(body.matched.effect, [null, null, null, null], 'no stayer has transactions: nothing to compare');
  });

  it('a month nobody moved in, and a month before any history, give empty cohorts', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-04&direction=up&months=1')).json();
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 11, overrideMoved: 0, heldByOverride: 0 }, 'everyone tiered by 2024-03 stayed');
    assert.deepEqual(body.moved.counts, [0, 0]);
    assert.deepEqual(body.matched.effect, [null, null]);
    const early = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2000-01&direction=down')).json();
    assert.deepEqual(early.cohorts, { moved: 0, stayed: 0, overrideMoved: 0, heldByOverride: 0 });
    assert.equal(early.periods.length, 7, 'six months of follow-up by default');
  });

  it('follow-up months that have not begun are left out, and the answer says how many are there', async () => {
    // NOW is 2025-11-15: 2025-10 has one follow-up month begun (2025-11, the current one), not the second.
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=down&months=2')).json();
    assert.deepEqual([body.periods, body.monthsAfter, body.monthsAsked, body.monthsAvailable], [['2025-10', '2025-11'], [0, 1], 2, 1]);
    for (const s of [body.moved, body.stayed]) for (const a of Object.values(s)) assert.equal((a as unknown[]).length, 2);
    for (const a of [body.matched.moved.counts, body.matched.stayed.meanChange, body.matched.effect]) assert.equal(a.length, 2);
    // The current month as the move's: no follow-up month yet.
    const now = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-11&direction=up&months=6')).json();
    assert.deepEqual([now.periods, now.monthsAfter, now.monthsAvailable, now.matched.effect.length], [['2025-11'], [0], 0, 1]);
  });

  it('another bank sees none of it', async () => {
    const body = await (await client(f, 'b').get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=up')).json();
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 0, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.strata, []);
  });

  it('bad input is a 400 or 404 problem that names the field', async () => {
    const base = '/v1/analytics/effect?scheme=retail-tier&period=2024-06';
    const bad: [string, number, string?][] = [
      [`${base}&direction=sideways`, 400, 'query.direction'],
      [`${base}`, 400, 'query.direction'],
      [`${base}&direction=up&months=0`, 400, 'query.months'],
      [`${base}&direction=up&months=25`, 400, 'query.months'],
      [`${base}&direction=up&months=1.5`, 400, 'query.months'],
      [`${base}&direction=up&metric=nope`, 400, 'query.metric'],
      [`${base}&direction=up&overrides=yes`, 400, 'query.overrides'],
      ['/v1/analytics/effect?scheme=retail-tier&period=2024-13&direction=up', 400, 'query.period'],
      ['/v1/analytics/effect?scheme=nope&period=2024-06&direction=up', 404],
      // The fixture lives in 2025-11 (Shanghai): a later month has no moves to evaluate yet.
      ['/v1/analytics/effect?scheme=retail-tier&period=2025-12&direction=up', 400, 'query.period'],
      ['/v1/analytics/effect?scheme=retail-tier&period=2999-12&direction=down&months=24', 400, 'query.period'],
    ];
    await expectProblems(api.get, bad);
  });
});

/*
 * A level the scheme no longer defines (renamed by a later policy version) has no rank, so its holders
 * are in neither group (docs/domain.md §10), even those who kept it:
 *
 *   subject  level 2024-05 → 2024-06   06 (band)   07
 *   R1       standard → gold  (up)     5 (3)       9
 *   R2       standard stays            5 (3)       6
 *   R3       legacy stays              5 (3)       —    in no group, no stratum
 *   R4       legacy → gold             5 (3)       —    unranked: in no group
 */
forEachDialect('analytics: effect evaluation leaves levels the scheme no longer has out of both groups', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  before(async () => {
    await writeBook(f.db.db, 'bank-a', {
      events: [
        { subject: 'R1', period: '2024-01', from: null, to: 'standard' },
        { subject: 'R1', period: '2024-06', from: 'standard', to: 'gold' },
        { subject: 'R2', period: '2024-01', from: null, to: 'standard' },
        { subject: 'R3', period: '2024-01', from: null, to: 'legacy' },
        { subject: 'R4', period: '2024-01', from: null, to: 'legacy' },
        { subject: 'R4', period: '2024-06', from: 'legacy', to: 'gold' },
      ],
      metrics: { R1: { '2024-06': 5, '2024-07': 9 }, R2: { '2024-06': 5, '2024-07': 6 }, R3: { '2024-06': 5 }, R4: { '2024-06': 5 } },
    });
  });

  it('a holder of a legacy level who kept it is no stayer', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=up&months=1')).json();
    assert.deepEqual(body.cohorts, { moved: 1, stayed: 1, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.strata, [{ startLevel: 'standard', band: 3, bandMin: 4, bandMax: 8, moved: 1, stayed: 1 }]);
    assert.deepEqual(body.matched.effect, [0, 3]);
  });
});
