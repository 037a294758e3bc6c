import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { compileWindowReader } from '../../packages/core/src/engine/window-reader.js';
import { client, forEachDialect } from '../support/api-fixture.js';
import { writeBook } from '../support/history-book.js';

/*
 * Effect evaluation of a yes/no holding (premium_card, unit boolean) on a book worked out by hand. A
 * card is written in the month it changes, never every month: a month without an observation holds
 * the latest one at or before it, and none at all is 0 — how the engine reads it. Bands: 0 is band 0
 * (below 1), 1 is band 1 (1 ≤ v < 2).
 *
 *   subject  level 2024-05 → 2024-06   card observations      06  07  08
 *   H1       gold → standard (down)    none                    0   0   0
 *   H2       gold → standard (down)    07: 1                   0   1   1
 *   H3       gold → standard (down)    03: 1                   1   1   1
 *   H4       gold stays                none                    0   0   0
 *   H5       gold stays                08: 1                   0   0   1
 *   H6       gold stays                02: 1, 07: 0            1   0   0
 *   H7       standard stays            none                    0   —   —   no mover in its stratum
 */
const CARDS = { H2: { '2024-07': 1 }, H3: { '2024-03': 1 }, H5: { '2024-08': 1 }, H6: { '2024-02': 1, '2024-07': 0 } };

forEachDialect('analytics: effect evaluation of a holding, a missing month read as the engine reads it', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  before(async () => {
    await writeBook(f.db.db, 'bank-a', {
      events: [
        ...['H1', 'H2', 'H3'].flatMap((s) => [
          { subject: s, period: '2024-01', from: null, to: 'gold' },
          { subject: s, period: '2024-06', from: 'gold', to: 'standard' },
        ]),
        ...['H4', 'H5', 'H6'].map((s) => ({ subject: s, period: '2024-01', from: null, to: 'gold' })),
        { subject: 'H7', period: '2024-01', from: null, to: 'standard' },
      ],
      metric: 'premium_card',
      metrics: CARDS,
    });
  });

  it('movers from no card to a card are counted, against stayers of the same level and holding', async () => {
    const res = await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&months=2&metric=premium_card');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.metric, { key: 'premium_card', unit: 'boolean' });
    assert.deepEqual(body.cohorts, { moved: 3, stayed: 4, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.strata, [
      { startLevel: 'standard', band: 0, bandMin: null, bandMax: 1, moved: 0, stayed: 1 },
      { startLevel: 'gold', band: 0, bandMin: null, bandMax: 1, moved: 2, stayed: 2 },
      { startLevel: 'gold', band: 1, bandMin: 1, bandMax: 2, moved: 1, stayed: 1 },
    ]);
    // H1 H2 H3: 1/3 hold at 06, 2/3 at 07 and 08 (H2's card carried into 08).
    assert.deepEqual(body.moved, { counts: [3, 3, 3], meanValue: [0.33, 0.67, 0.67], meanChange: [0, 0.33, 0.33] });
    // H4 H5 H6 (H7's stratum has no mover): 1/3 | 0 (H6 gave it up) | 1/3 (H5 took one).
    assert.deepEqual(body.stayed, { counts: [3, 3, 3], meanValue: [0.33, 0, 0.33], meanChange: [0, -0.33, 0] });
    assert.deepEqual(body.matched, {
      moved: { counts: [3, 3, 3], meanChange: [0, 0.33, 0.33] },
      // 07: gold/0 stayers 0, gold/1 stayer −1 → (2 × 0 + 1 × −1) / 3; 08: (2 × 0.5 + 1 × −1) / 3
      stayed: { counts: [3, 3, 3], meanChange: [0, -0.33, 0] },
      // 07: (1 − (−1)) / 3; 08: (1 − 0) / 3
      effect: [0, 0.67, 0.33],
    });
  });

  it("the SQL's monthly values are the engine's no-window reader's on the same observations", async () => {
    const body = await (
      await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&months=2&metric=premium_card')
    ).json();
    // The reader retail-tier's rules use for premium_card (window: null), fed the observations above.
    const read = compileWindowReader('premium_card', null);
    const months = ['2024-06', '2024-07', '2024-08'];
    const mean = (subjects: string[], month: string) => {
      const values = subjects.map((s) => read({ premium_card: CARDS[s as keyof typeof CARDS] ?? {} }, [month]));
      return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
    };
    assert.deepEqual(
      body.moved.meanValue,
      months.map((m) => mean(['H1', 'H2', 'H3'], m)),
    );
    assert.deepEqual(
      body.stayed.meanValue,
      months.map((m) => mean(['H4', 'H5', 'H6'], m)),
    );
  });

  it('a money metric still counts only the months observed', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&months=2')).json();
    assert.deepEqual(body.cohorts, { moved: 3, stayed: 4, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.strata, [], 'nobody has a balance: no baseline, no stratum');
  });

  it("another bank's book is its own: same levels, other cards, other figures", async () => {
    // Bank B: the same moves, but its cards differ (only H4 stays with one from 2024-01). Reading bank
    // A's rows into bank B's answer (or the reverse) changes both banks' figures below.
    await writeBook(f.db.db, 'bank-b', {
      events: [
        ...['H1', 'H2', 'H3'].flatMap((s) => [
          { subject: s, period: '2024-01', from: null, to: 'gold' },
          { subject: s, period: '2024-06', from: 'gold', to: 'standard' },
        ]),
        ...['H4', 'H5', 'H6'].map((s) => ({ subject: s, period: '2024-01', from: null, to: 'gold' })),
        { subject: 'H7', period: '2024-01', from: null, to: 'standard' },
      ],
      metric: 'premium_card',
      metrics: { H4: { '2024-01': 1 } },
    });
    const path = '/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&months=2&metric=premium_card';
    const b = await (await client(f, 'b').get(path)).json();
    assert.deepEqual(b.cohorts, { moved: 3, stayed: 4, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(b.moved, { counts: [3, 3, 3], meanValue: [0, 0, 0], meanChange: [0, 0, 0] });
    // Only gold/0 holds a mover: H5 and H6 (no card in B); H4 (card) is gold/1, compared with nobody.
    assert.deepEqual(b.stayed, { counts: [2, 2, 2], meanValue: [0, 0, 0], meanChange: [0, 0, 0] });
    const a = await (await api.get(path)).json();
    assert.deepEqual(a.moved.meanValue, [0.33, 0.67, 0.67], "bank A's figures unchanged by bank B's book");
    assert.deepEqual(a.stayed.meanValue, [0.33, 0, 0.33]);
  });
});
