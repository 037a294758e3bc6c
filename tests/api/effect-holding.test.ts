import assert from 'node:assert/strict';
import { before, it } from 'node:test';
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
      metrics: { H2: { '2024-07': 1 }, H3: { '2024-03': 1 }, H5: { '2024-08': 1 }, H6: { '2024-02': 1, '2024-07': 0 } },
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

  it('a money metric still counts only the months observed', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&months=2')).json();
    assert.deepEqual(body.cohorts, { moved: 3, stayed: 4, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.strata, [], 'nobody has a balance: no baseline, no stratum');
  });

  it('another bank sees none of it', async () => {
    const body = await (
      await client(f, 'b').get('/v1/analytics/effect?scheme=retail-tier&period=2024-06&direction=down&metric=premium_card')
    ).json();
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 0, overrideMoved: 0, heldByOverride: 0 });
    assert.deepEqual(body.strata, []);
  });
});
