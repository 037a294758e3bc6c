import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analytics, isProvisional, provisionalMonths } from '@tierkit/admin';
import { ANALYTICS_WORDS } from '../../apps/admin/src/pages/analytics.words.js';
import { kitFixture } from './kit-fixture.js';

/*
 * The fixture's book is tiered in 2025-10 only (K01–K07 platinum, K08–K10 standard): every count below
 * is read off that, and the store must hold the API's answer unchanged, each read in its own part.
 */
describe('Analytics against the real API', () => {
  const f = kitFixture();
  const range = { scheme: 'retail-tier', from: '2025-08', to: '2025-10' };

  it('offers the schemes the credential sees, without the matrix schemes', async () => {
    const a = new Analytics(f.client('OFF1'));
    await a.loadSchemes();
    const keys = a.state.schemes.data?.map((s) => s.key) ?? [];
    assert.ok(keys.includes('retail-tier') && keys.includes('aml-test'), keys.join());
    assert.ok(!keys.includes('risk-value-test'));
    // Beside them, the metrics an effect evaluation may follow: the tenant's catalogue and its default.
    assert.equal(a.state.metrics.status, 'ready');
    assert.ok(a.state.metrics.data?.items.some((m) => m.key === 'premium_card' && m.unit === 'boolean'));
    assert.equal(a.state.metrics.data?.default, 'avg_daily_balance');
    // A scheme's own: read for it by name (the API leaves out metrics of other kinds of subject).
    await a.loadMetrics('retail-tier');
    assert.equal(a.state.metrics.status, 'ready');
    assert.ok(a.state.metrics.data?.items.some((m) => m.key === 'premium_card'));
    await a.loadMetrics('no-such-scheme');
    assert.equal(a.state.metrics.status, 'error', 'a scheme the API does not have is its 404, kept in the part');
  });

  it('a range reads distribution, migration and rates, each ready with the counts behind it', async () => {
    const a = new Analytics(f.client('OFF1'));
    await a.setRange(range);
    const { distribution, migration, rates } = a.state;
    assert.deepEqual([distribution.status, migration.status, rates.status], ['ready', 'ready', 'ready']);
    assert.deepEqual(distribution.data?.periods, ['2025-08', '2025-09', '2025-10']);
    assert.deepEqual(distribution.data?.totals, [0, 0, 10]);
    const count = (level: string) => distribution.data?.series.find((s) => s.level === level)?.counts;
    assert.deepEqual(count('platinum'), [0, 0, 7]);
    assert.deepEqual(count('standard'), [0, 0, 3]);
    assert.equal(migration.data?.totals.entered, 10, 'everyone was first tiered after 2025-08');
    assert.deepEqual(rates.data?.entered, [0, 0, 10]);
    assert.deepEqual(rates.data?.upgradeRate, [null, null, null], 'no base, no rate');
  });

  it('a later month moves K08 up: refresh reads it instead of the cached answer', async () => {
    const a = new Analytics(f.client('OFF1'));
    await a.setRange({ ...range, to: '2025-11' });
    await a.evaluate({ scheme: 'retail-tier', period: '2025-11', direction: 'up', months: 1 });
    assert.equal(a.state.rates.data?.upgrades.at(-1), 0);
    // 2025-11 is the fixture's current month, not re-tiered yet: no rate rather than 0 %, and said so.
    assert.deepEqual(a.state.rates.data?.evaluated, [true, true, true, false]);
    assert.equal(a.state.rates.data?.evaluatedThrough, '2025-10');
    assert.equal(a.state.rates.data?.upgradeRate.at(-1), null);
    assert.equal(a.state.rates.data?.policy.upgradeRate.at(-1), null);
    assert.deepEqual(a.state.distribution.data?.evaluated, [true, true, true, false]);
    assert.equal(a.state.effect.data?.evaluated, false);
    const res = await f.app.request('/v1/subjects/K08/metrics', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 400_000_00 }] }),
    });
    assert.equal(res.status, 200, await res.text());
    await a.refresh();
    assert.deepEqual(a.state.rates.data?.upgrades, [0, 0, 0, 1]);
    assert.deepEqual(a.state.rates.data?.policy.upgrades, [0, 0, 0, 1], 'the rules moved K08: a policy move');
    assert.deepEqual(a.state.rates.data?.override.upgrades, [0, 0, 0, 0]);
    assert.equal(a.state.rates.data?.evaluated.at(-1), true, 'its data evaluated, 2025-11 counts as evaluated');
    assert.equal(a.state.rates.data?.upgradeRate.at(-1), 0.1, '1 of the 10 tiered in 2025-10');
    assert.equal(a.state.migration.data?.totals.up, 0, 'the migration is from 2025-08, when K08 had no level');
    assert.equal(a.state.effect.status, 'ready');
    assert.deepEqual(a.state.effect.data?.cohorts, { moved: 1, stayed: 9, overrideMoved: 0, heldByOverride: 0 });
    assert.equal(a.state.effect.data?.overrides, 'exclude');
    // Overrides among the movers, when asked: the kit passes the choice on and keeps it with the query.
    await a.evaluate({ scheme: 'retail-tier', period: '2025-11', direction: 'up', months: 1, overrides: 'include' });
    assert.equal(a.state.effect.data?.overrides, 'include');
    assert.equal(a.state.effectQuery?.overrides, 'include');
    assert.equal(a.state.effect.data?.period, '2025-11');
  });

  it('tells the months whose figures may still change: evaluated, but the month after not over yet', async () => {
    const a = new Analytics(f.client('OFF1'));
    await a.setRange({ ...range, to: '2025-11' });
    await a.evaluate({ scheme: 'retail-tier', period: '2025-10', direction: 'up', months: 1 });
    const { distribution, rates, migration, effect } = a.state;
    // The fixture's clock is in 2025-11: 2025-10 is evaluated, but an override approved this month may
    // still set back its moves; 2025-11 is evaluated too since K08's metrics of it came (the test above).
    assert.equal(distribution.data?.finalThrough, '2025-09');
    assert.deepEqual(distribution.data?.final, [true, true, false, false]);
    assert.deepEqual(provisionalMonths(distribution.data!), ['2025-10', '2025-11']);
    assert.deepEqual(provisionalMonths(rates.data!), ['2025-10', '2025-11']);
    assert.equal(isProvisional(migration.data!), true);
    assert.equal(isProvisional(effect.data!), true, '2025-10 is evaluated and not final');
    // A month not evaluated has no result to change yet: said so by its own note, not as provisional.
    assert.equal(provisionalMonths({ periods: ['2025-12'], evaluated: [false], final: [false] }).length, 0);
    assert.equal(isProvisional({ evaluated: false, final: false }), false);
    await a.setRange({ ...range, to: '2025-09' });
    assert.deepEqual(provisionalMonths(a.state.distribution.data!), []);
    assert.equal(isProvisional(a.state.migration.data!), false);
  });

  it('an effect followed past the current month holds only the months begun, and the page says how many of those asked', async () => {
    const a = new Analytics(f.client('OFF1'));
    // The fixture's clock is in 2025-11: of six months after 2025-10, only 2025-11 has begun.
    await a.evaluate({ scheme: 'retail-tier', period: '2025-10', direction: 'up', months: 6 });
    const e = a.state.effect.data!;
    assert.deepEqual([e.periods, e.monthsAfter, e.monthsAsked, e.monthsAvailable], [['2025-10', '2025-11'], [0, 1], 6, 1]);
    assert.equal(e.matched.effect.length, 2, 'no null mean standing for a month not begun');
    assert.equal(
      ANALYTICS_WORDS['zh-CN'].effectMonthsAvailable(e.monthsAvailable, e.monthsAsked),
      '只显示 1 个跟踪月份（所选 6 个）：其余月份尚未开始，还没有数据。',
    );
    assert.equal(ANALYTICS_WORDS['zh-TW'].effectMonthsAvailable(1, 6), '只顯示 1 個追蹤月份（所選 6 個）：其餘月份尚未開始，還沒有資料。');
    assert.equal(
      ANALYTICS_WORDS.en.effectMonthsAvailable(1, 6),
      '1 of the 6 follow-up months shown: the others have not begun yet, so they have no data.',
    );
  });

  it('each part fails on its own terms: an unknown scheme is a 404, a range backwards a 400; an RM reads their own book', async () => {
    const a = new Analytics(f.client('OFF1'));
    await a.setRange({ scheme: 'no-such', from: '2025-08', to: '2025-10' });
    assert.deepEqual([a.state.distribution.status, a.state.distribution.error?.status], ['error', 404]);
    assert.equal(a.state.distribution.data, undefined);
    await a.setRange({ scheme: 'retail-tier', from: '2025-10', to: '2025-08' });
    assert.deepEqual([a.state.rates.error?.status, a.state.migration.error?.status], [400, 400]);
    await a.evaluate({ scheme: 'retail-tier', period: '2025-10', direction: 'up', metric: 'no_such_metric' });
    assert.equal(a.state.effect.error?.status, 400);
    const rm = new Analytics(f.client('RM1'));
    await rm.setRange(range);
    // An RM's credential counts only the customers in their book (K01–K07), never the bank's ten.
    assert.equal(rm.state.distribution.status, 'ready');
    assert.deepEqual(rm.state.distribution.data?.totals, [0, 0, 7], 'the whole book’s aggregates are not one RM’s');
    await rm.evaluate({ scheme: 'retail-tier', period: '2025-10', direction: 'up' });
    assert.equal(rm.state.effect.error?.status, 403, 'effect evaluation needs the whole bank');
  });

  it('a newer range cancels the older: only the last one asked lands in the state', async () => {
    const a = new Analytics(f.client('OFF1'));
    const first = a.setRange({ ...range, from: '2025-01' });
    const second = a.setRange(range);
    await Promise.all([first, second]);
    assert.deepEqual(a.state.range, range);
    assert.deepEqual(a.state.distribution.data?.periods, ['2025-08', '2025-09', '2025-10']);
    assert.equal(a.state.rates.data?.periods.length, 3);
  });
});
