import { expect } from '@open-wc/testing';
import { formatMultiplier, formatPercentFromBp } from './format.js';
import { matchLocale } from './locale.js';

describe('amounts as a customer reads them', () => {
  it('formats rate adjustments as percent with no space, and limits as multipliers, 倍 in Chinese', () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      expect(formatPercentFromBp(20, locale), locale).to.equal('+0.20%');
      expect(formatPercentFromBp(-30, locale), locale).to.equal('\u22120.30%');
    }
    expect(formatMultiplier(1500, 'zh-CN')).to.equal('1.5倍');
    expect(formatMultiplier(2000, 'zh-TW')).to.equal('2倍');
    expect(formatMultiplier(1500, 'en')).to.equal('1.5×');
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
