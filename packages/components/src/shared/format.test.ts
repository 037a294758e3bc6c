import { expect } from '@open-wc/testing';
import { formatBp, formatDate, formatMoney, formatMoneyCompact, formatMultiplier, formatPercentFromBp } from './format.js';
import { maskId, maskName, maskPerson } from './mask.js';
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

  it('dates a change in the bank\'s time zone, not UTC', () => {
    expect(formatDate('2025-03-31T17:30:00Z', 'en')).to.equal('Apr 1, 2025');
  });
});

describe('personal data masking (DOMAIN §8)', () => {
  it('masks names, ID cards, bank cards and mobiles the usual way', () => {
    expect(maskName('张三')).to.equal('张*');
    expect(maskName('李和明')).to.equal('*和明');
    expect(maskName('John Smith')).to.equal('J*** S****');
    expect(maskId('440401199001011768')).to.equal('440401********1768');
    expect(maskId('6228880000005676')).to.equal('622888******5676');
    expect(maskId('17712347986')).to.equal('177****7986');
    expect(maskId('C000003')).to.equal('C0***03');
  });

  it('masks a staff member as a name or as an id, whichever the record holds', () => {
    expect(maskPerson('王经理')).to.equal('*经理');
    expect(maskPerson('Li Na')).to.equal('L* N*');
    expect(maskPerson('E1024')).to.equal('****4');
    expect(maskPerson('rm.zhang')).to.equal('rm****ng');
  });

  it('leaves a value the server already masked as it is', () => {
    expect(maskName('张*')).to.equal('张*');
    expect(maskId('177****7986')).to.equal('177****7986');
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
