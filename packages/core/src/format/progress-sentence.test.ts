import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePack, defaultPolicyPack, progressSentence } from '../index.js';

const pack = compilePack(defaultPolicyPack);

describe('progressSentence', () => {
  it('a score’s gap names the overall score, never the pseudo-metric key a label lookup falls back to', () => {
    // A savings customer: ¥46,000 balance, 2-year deposits, card spending — 良好 is 13.9 points away.
    const e = pack.scheme('savings-grade')!.evaluate({
      asOf: '2025-10',
      values: {
        avg_daily_balance: { '2025-08': 4_600_000, '2025-09': 4_600_000, '2025-10': 4_600_000 },
        deposit_term_months: { '2025-01': 24 },
        card_spend: { '2025-08': 600_000, '2025-09': 600_000, '2025-10': 600_000 },
      },
    });
    const path = e.progress?.paths[e.progress.nearest];
    assert.ok(path);
    assert.equal(path.metric, '@score');
    const gap = String(path.gap);
    // The badge looks the label up among the pack's metrics, finds none, and passes the key.
    assert.equal(progressSentence(path, path.metric, '良好', 'zh-CN'), `再增加 ${gap} 分 即可升级良好`);
    assert.equal(progressSentence(path, path.metric, '良好', 'zh-TW'), `再增加 ${gap} 分 即可升級良好`);
    assert.equal(progressSentence(path, path.metric, 'Good', 'en'), `${gap} points more  to reach Good`);
    assert.equal(progressSentence({ ...path, gap: 1 }, path.metric, 'Good', 'en'), '1 point more  to reach Good');
  });

  it('a basis-point gap reads as a percent, the unit a customer knows', () => {
    // A test pack's metric in bp (the default packs have none): a deposit rate bonus still 25 bp short.
    const path = { metric: 'deposit_bonus', window: null, unit: 'bp' as const, current: 5, required: 30, gap: 25 };
    assert.equal(progressSentence(path, '存款利率加点', '金卡', 'zh-CN'), '再增加 0.25% 存款利率加点即可升级金卡');
    assert.equal(progressSentence(path, 'deposit rate bonus', 'Gold', 'en'), '0.25% more deposit rate bonus to reach Gold');
    assert.doesNotMatch(progressSentence({ ...path, gap: 300 }, 'x', 'Gold', 'en'), /bp/);
  });

  it('a money gap names the metric and the amount in yuan', () => {
    const path = {
      metric: 'avg_daily_balance',
      window: null,
      unit: 'money' as const,
      currency: 'CNY',
      current: 28_800_000,
      required: 30_000_000,
      gap: 1_200_000,
    };
    assert.equal(progressSentence(path, '月日均资产', '白金卡', 'zh-CN'), '再增加 ¥12,000 月日均资产即可升级白金卡');
  });

  it('a money gap with fen is told in whole yuan rounded up, the figure the badge says', () => {
    const path = {
      metric: 'avg_daily_balance',
      window: null,
      unit: 'money' as const,
      currency: 'CNY',
      current: 0,
      required: 0,
      gap: 4_663_131,
    };
    assert.equal(progressSentence(path, '月日均资产', '金卡', 'zh-CN'), '再增加 ¥46,632 月日均资产即可升级金卡');
    assert.equal(progressSentence(path, '月日均資產', '金卡', 'zh-TW'), '再增加 CN¥46,632 月日均資產即可升級金卡');
    assert.equal(
      progressSentence(path, 'monthly average daily balance', 'Gold', 'en'),
      'CN¥46,632 more monthly average daily balance to reach Gold',
    );
    // The path's currency, else the caller's: a yen gap has no minor unit to round.
    const { currency: _c, ...bare } = path;
    assert.equal(progressSentence({ ...bare, gap: 4_663_131 }, 'balance', 'Gold', 'en', 'JPY'), '¥4,663,131 more balance to reach Gold');
    assert.equal(progressSentence({ ...path, gap: 1 }, '月日均资产', '金卡', 'zh-CN'), '再增加 ¥1 月日均资产即可升级金卡');
  });
});
