// What the analytics page hands a manager: each table as CSV (UTF-8 with a BOM, CRLF, cells a
// spreadsheet cannot run as a formula), the effect's strata with their band limits in the metric's
// unit, the movers no stayer could be compared with, and the effect's settings in the route.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistributionResponse, EffectResponse, MigrationResponse, RatesResponse } from '@tierkit/admin';
import { csvCell, csvText } from '../../apps/admin/src/csv.js';
import {
  distributionRows,
  effectRows,
  migrationRows,
  ratesRows,
  strataRows,
  type CsvNames,
} from '../../apps/admin/src/pages/analytics-csv.js';
import { askedEffect, bandLimits, effectParams, sameEffect, uncomparedMovers } from '../../apps/admin/src/pages/analytics-effect-view.js';
import { ANALYTICS_WORDS } from '../../apps/admin/src/pages/analytics.words.js';

const balance: EffectResponse['metric'] = { key: 'avg_daily_balance', unit: 'money', currency: 'CNY' };
const card: EffectResponse['metric'] = { key: 'premium_card', unit: 'boolean' };

/** 139 movers, 135 of them in strata with stayers (the PM's 2026-08 downgrade, cut down to three strata). */
const effect = {
  scheme: 'retail-tier',
  metric: balance,
  direction: 'down',
  overrides: 'exclude',
  period: '2026-08',
  before: '2026-07',
  periods: ['2026-08', '2026-09'],
  monthsAfter: [0, 1],
  cohorts: { moved: 139, stayed: 900, overrideMoved: 0, heldByOverride: 0 },
  strata: [
    { startLevel: 'gold', band: 23, bandMin: 4_194_304, bandMax: 8_388_608, moved: 4, stayed: 0 },
    { startLevel: 'gold', band: 24, bandMin: 8_388_608, bandMax: 16_777_216, moved: 135, stayed: 300 },
    { startLevel: 'platinum', band: 25, bandMin: 16_777_216, bandMax: 33_554_432, moved: 0, stayed: 12 },
  ],
  matched: {
    moved: { counts: [135, 135], meanChange: [0, -32_762] },
    stayed: { counts: [300, 300], meanChange: [0, 206_024] },
    effect: [0, -238_786],
  },
} as unknown as EffectResponse;

const names = (locale: CsvNames['locale']): CsvNames => ({
  locale,
  level: (k) => ({ gold: '金卡', platinum: '白金' })[k] ?? k,
  metric: (k) => (k === 'avg_daily_balance' ? '月日均资产' : k),
});

describe('console: analytics CSV', () => {
  it("the console writes with core's CSV writer (its rules are tested in core: format/csv.test.ts)", () => {
    assert.equal(
      csvText([
        ['月份', '金卡'],
        ['2026-08', 12],
      ]),
      '\uFEFF"月份","金卡"\r\n"2026-08",12\r\n',
    );
    assert.equal(csvCell('−¥327.62'), '"−¥327.62"', 'the minus sign the page writes is no formula');
  });

  it('distribution and rates name every column, 暂定 included, and the policy version each month was judged by', () => {
    const d = {
      scheme: 'retail-tier',
      periods: ['2026-07', '2026-08', '2026-09'],
      evaluated: [true, true, false],
      evaluatedThrough: '2026-08',
      final: [true, false, false],
      finalThrough: '2026-07',
      levels: ['gold'],
      series: [{ level: 'gold', counts: [10, 11, 11] }],
      totals: [10, 11, 11],
      versions: [1, 2, 2],
    } as DistributionResponse;
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = ANALYTICS_WORDS[locale];
      const rows = distributionRows(d, names(locale));
      assert.ok(
        rows[0]?.every((h) => typeof h === 'string' && h.length > 0),
        `${locale}: ${JSON.stringify(rows[0])}`,
      );
      assert.deepEqual(rows[0]?.slice(-2), [w.monthStatus, w.policyVersion]);
    }
    assert.deepEqual(distributionRows(d, names('zh-CN')), [
      ['月份', '金卡', '合计', '数据状态', '生效策略版本'],
      ['2026-07', 10, 10, '', 'v1'],
      ['2026-08', 11, 11, '暂定', 'v2'],
      ['2026-09', 11, 11, '未评估', 'v2'],
    ]);
    const r = {
      scheme: 'retail-tier',
      periods: ['2026-08'],
      evaluated: [true],
      evaluatedThrough: '2026-08',
      final: [false],
      finalThrough: null,
      versions: [2],
      base: [100],
      policy: { upgrades: [3], downgrades: [1], upgradeRate: [0.03], downgradeRate: [0.01] },
      override: { upgrades: [0], downgrades: [0] },
    } as unknown as RatesResponse;
    const rates = ratesRows(r, names('zh-CN'));
    assert.ok(
      rates[0]?.every((h) => typeof h === 'string' && h.length > 0),
      JSON.stringify(rates[0]),
    );
    assert.deepEqual(rates[1]?.slice(-2), ['暂定', 'v2']);
  });

  it('the migration table as the page shows it: levels named, the entered row last', () => {
    const m = {
      scheme: 'retail-tier',
      from: '2026-07',
      to: '2026-08',
      levels: ['gold', 'platinum'],
      matrix: [
        [10, 2],
        [1, 5],
      ],
      entered: [3, 0],
    } as unknown as MigrationResponse;
    const w = ANALYTICS_WORDS['zh-CN'];
    assert.deepEqual(migrationRows(m, names('zh-CN')), [
      ['2026-07 的等级 \\ 2026-08 的等级', '金卡', '白金'],
      ['金卡', 10, 2],
      ['白金', 1, 5],
      [w.entered, 3, 0],
    ]);
  });

  it('the effect: what was asked, the matched months, then the strata with their band limits in yuan', () => {
    const rows = effectRows(effect, names('zh-CN'));
    assert.deepEqual(rows.slice(0, 6), [
      ['调级月份', '2026-08'],
      ['方向', '降级'],
      ['指标', '月日均资产'],
      ['人工调整的客户', '不计入调级客户'],
      ['调级客户数', 139],
      ['未调级客户数', 900],
    ]);
    assert.deepEqual(rows[9], [1, '2026-09', 135, -327.62, 300, 2060.24, -2387.86]);
    const strata = rows.slice(rows.length - 4);
    assert.deepEqual(strata, [
      ['调级前等级', '档位下限（含） (CNY)', '档位上限（不含） (CNY)', '调级客户数', '未调级客户数', '参与比较'],
      ['金卡', 41943.04, 83886.08, 4, 0, '否'],
      ['金卡', 83886.08, 167772.16, 135, 300, '是'],
      ['白金', 167772.16, 335544.32, 0, 12, '否'],
    ]);
    const file = csvText(rows);
    // Figures are numbers a spreadsheet computes with: unquoted, no ¥, no digit grouping.
    assert.ok(file.includes('\r\n"金卡",41943.04,83886.08,4,0,"否"\r\n'), file);
    assert.ok(file.includes('\r\n1,"2026-09",135,-327.62,300,2060.24,-2387.86\r\n'), file);
  });

  it('an English CSV names the metric standing alone with a capital, as the picker does', () => {
    const en = { ...names('en'), metric: () => 'monthly average daily balance' };
    assert.deepEqual(effectRows(effect, en)[2], ['Metric', 'Monthly average daily balance']);
    assert.deepEqual(effectRows(effect, names('zh-CN'))[2], ['指标', '月日均资产']);
  });

  it('a yes/no holding has two bands, no and yes, not ¥ limits', () => {
    assert.deepEqual(bandLimits(null, 1, card, 'en'), { min: 'no', max: null });
    assert.deepEqual(bandLimits(1, 2, card, 'zh-TW'), { min: '是', max: null });
    const e = { ...effect, metric: card, strata: [{ startLevel: 'gold', band: 0, bandMin: null, bandMax: 1, moved: 22, stayed: 0 }] };
    assert.deepEqual(strataRows(e as EffectResponse, names('en'))[1], ['金卡', 'no', '—', 22, 0, 'No']);
  });
});

describe('console: effect evaluation, what it says beside the figures', () => {
  it('movers in no stratum with stayers are counted and said: 4 of 139, the table shows 135', () => {
    assert.equal(uncomparedMovers(effect), 4);
    assert.equal(
      ANALYTICS_WORDS['zh-CN'].uncompared(4, 139, 135),
      '调级 139 位中有 4 位所在层没有未调级客户（或调级当月没有该指标），未参与比较；下表的调级客户为其余 135 位。',
    );
    const none = { ...effect, matched: { ...effect.matched, moved: { counts: [0, 0], meanChange: [null, null] } } };
    assert.equal(uncomparedMovers(none as EffectResponse), 139);
  });

  it('movers with no comparable stayers are said as such, not as no data', () => {
    assert.match(ANALYTICS_WORDS['zh-CN'].noComparable(22), /^调级 22 位，但没有可比的未调级客户/);
    assert.match(ANALYTICS_WORDS.en.noComparable(22), /^22 moved, but no comparable stayers/);
    assert.doesNotMatch(ANALYTICS_WORDS['zh-TW'].noComparable(22), /沒有可顯示的資料/);
  });

  it('the effect’s settings go into the route and come back as the same query', () => {
    const q = { scheme: 'retail-tier', period: '2026-08', direction: 'down', months: 3, metric: 'premium_card' } as const;
    const params = new URLSearchParams({ scheme: 'retail-tier', from: '2025-09', to: '2026-08', ...effectParams(q) });
    assert.equal(
      params.toString(),
      'scheme=retail-tier&from=2025-09&to=2026-08&period=2026-08&direction=down&months=3&metric=premium_card',
    );
    const back = askedEffect(params, 'retail-tier');
    assert.deepEqual(back, q);
    assert.ok(sameEffect(back, q));
    assert.ok(!sameEffect(back, { ...q, metric: 'avg_daily_balance' }));
    assert.ok(
      sameEffect({ scheme: 's', period: '2026-08', direction: 'up' }, { scheme: 's', period: '2026-08', direction: 'up', months: 6 }),
    );
    assert.deepEqual(askedEffect(new URLSearchParams('period=2026-08&direction=up&overrides=include'), 's'), {
      scheme: 's',
      period: '2026-08',
      direction: 'up',
      overrides: 'include',
    });
    // A route without a month or a direction names no evaluation; the API checks the month itself.
    assert.equal(askedEffect(new URLSearchParams('period=2026-08'), 's'), undefined);
    assert.equal(askedEffect(new URLSearchParams('period=2026-08&direction=sideways'), 's'), undefined);
  });
});
