import { expect } from '@open-wc/testing';
import { formatBp, formatDate, formatMoney, formatMoneyCompact, formatMultiplier, formatPercentFromBp } from './format.js';
import { matchLocale } from './locale.js';

describe('amounts as a customer reads them', () => {
  it('shows a gap of ¥12,000 the same way in every locale, fen only when there are any', () => {
    expect(formatMoney(1_200_000, 'CNY', 'en')).to.equal('¥12,000');
    expect(formatMoney(1_200_000, 'CNY', 'zh-CN')).to.equal('¥12,000');
    expect(formatMoney(1_200_050, 'CNY', 'zh-TW')).to.equal('¥12,000.50');
    expect(formatMoney(-30_000, 'CNY', 'en')).to.equal('\u2212¥300');
    expect(formatMoney(100_000, 'HKD', 'en')).to.equal('HK$1,000');
  });

  it('writes thresholds as 5万元 in Chinese and ¥50K in English', () => {
    expect(formatMoneyCompact(5_000_000, 'CNY', 'zh-CN')).to.equal('5万元');
    expect(formatMoneyCompact(150_000_000, 'CNY', 'zh-CN')).to.equal('150万元');
    expect(formatMoneyCompact(5_000_000, 'CNY', 'zh-TW')).to.equal('5萬元');
    expect(formatMoneyCompact(5_000_000, 'CNY', 'en')).to.equal('¥50K');
    expect(formatMoneyCompact(150_000_000, 'CNY', 'en')).to.equal('¥1.5M');
  });

  it('formats rate adjustments both as basis points and percent, and limits as multipliers', () => {
    expect(formatBp(20)).to.equal('+20 bp');
    expect(formatBp(-30)).to.equal('\u221230 bp');
    expect(formatPercentFromBp(20, 'en')).to.equal('+0.20 %');
    expect(formatMultiplier(1500, 'en')).to.equal('1.5×');
  });

  it("dates a change in the bank's time zone, not UTC", () => {
    expect(formatDate('2025-03-31T17:30:00Z', 'en')).to.equal('Apr 1, 2025');
  });
});

describe('locale matching', () => {
  it('reads Hong Kong and Hant tags as Traditional Chinese and other tags as English', () => {
    expect(matchLocale('zh-HK')).to.equal('zh-TW');
    expect(matchLocale('zh-Hant-TW')).to.equal('zh-TW');
    expect(matchLocale('zh')).to.equal('zh-CN');
    expect(matchLocale('de-DE')).to.equal('en');
    expect(matchLocale('')).to.equal(undefined);
  });
});
