// How the console's effect evaluation reads its figures, in the table and the chart alike: a yes/no
// metric (a product held) changes in percentage points, a month compared on a handful of
// customers is marked as such, and counts are grouped by thousands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EffectResponse } from '@tierkit/admin';
import { count, FEW_TO_COMPARE, meanText, tooFew } from '../../apps/admin/src/pages/analytics-format.js';
import { ANALYTICS_WORDS } from '../../apps/admin/src/pages/analytics.words.js';

const premiumCard: EffectResponse['metric'] = { key: 'premium_card', unit: 'boolean' };
const balance: EffectResponse['metric'] = { key: 'avg_daily_balance', unit: 'money', currency: 'CNY' };

describe('console: effect evaluation figures', () => {
  it('a product held: the mean is a share, so its change reads in percentage points, never 是/否', () => {
    // 0.12 of the movers more hold the card; 0.05 fewer of the stayers; no change at all.
    assert.equal(meanText(0.12, premiumCard, 'zh-CN'), '12 个百分点');
    assert.equal(meanText(-0.05, premiumCard, 'zh-TW'), '−5 個百分點');
    assert.equal(meanText(0, premiumCard, 'en'), '0 pp');
    assert.equal(meanText(1, premiumCard, 'en'), '100 pp');
  });

  it('money in fen reads as money, a chart tick between fen rounded to one', () => {
    assert.equal(meanText(206_024, balance, 'zh-CN'), '¥2,060.24');
    assert.equal(meanText(-32_762, balance, 'en'), '−CN¥327.62');
    assert.equal(meanText(1_000.4, balance, 'en'), 'CN¥10');
  });

  it(`a month with fewer than ${FEW_TO_COMPARE} matched movers or stayers is too few to read`, () => {
    const e = {
      matched: {
        moved: { counts: [FEW_TO_COMPARE, FEW_TO_COMPARE - 1, 400, 400], meanChange: [] },
        stayed: { counts: [FEW_TO_COMPARE, 400, FEW_TO_COMPARE - 1, 0], meanChange: [] },
        effect: [],
      },
    } as unknown as EffectResponse;
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => tooFew(e, i)),
      [false, true, true, true],
    );
  });

  it('counts in the tables and sentences are grouped by thousands in every locale', () => {
    assert.equal(count(10_000), '10,000');
    assert.equal(count(undefined), '0');
    assert.equal(ANALYTICS_WORDS['zh-CN'].cohorts(12_036, 9_964), '调级 12,036 位，未调级 9,964 位。');
    assert.equal(ANALYTICS_WORDS['zh-TW'].distributionSummary(10_000, 24).includes('共 10,000 位'), true);
    // The parts add up to those with a level in both months: 1,204 + 987 + 7,789 + 10 + 0 = 9,990.
    const totals = { both: 9_990, up: 1_204, down: 987, same: 7_789, heldByOverride: 10, unranked: 0, entered: 10 };
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const parts = [...ANALYTICS_WORDS[locale].migrationTotals(totals).matchAll(/\d[\d,]*/g)].map((m) => Number(m[0].replaceAll(',', '')));
      const [both, ...rest] = parts.slice(0, -1);
      assert.equal(
        rest.reduce((x, y) => x + y, 0),
        both,
        `${locale}: the parts of the totals line add up to both`,
      );
      assert.equal(rest.length, 5, `${locale}: up, down, same, held, not comparable`);
    }
    assert.match(
      ANALYTICS_WORDS.en.migrationTotals(totals),
      /^9,990 with a level in both months: 1,204 up, 987 down, 7,789 the same, 10 held by an override, 0 not comparable/,
    );
    assert.equal(
      ANALYTICS_WORDS['zh-CN'].migrationByCause({ up: 1_100, down: 900, same: 7_000 }, { up: 104, down: 87, same: 12 }, 1_010, '2025-11'),
      '按原因：政策升级 1,100、降级 900；人工调整升级 104、降级 87、调整后回到原级 12；经人工调整保级 1,010 位（规则调级后被人工调整撤回，或自 2025-11 之前起一直由人工调整维持；不计入不变）。',
    );
    // Held by an override is no longer only a move the rules made and an override set back: a customer an
    // override has held since before `from` is counted so too (the API's override matrix, on its diagonal).
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const w = ANALYTICS_WORDS[locale];
      assert.match(w.migrationByCause({ up: 0, down: 0, same: 0 }, { up: 0, down: 0, same: 0 }, 3, '2025-11'), /2025-11/, locale);
      assert.doesNotMatch(w.heldByOverride(3), /規則已調級|规则已调级|after the rules moved them/, locale);
    }
  });
});
