import { expect } from '@open-wc/testing';
import { formatBp, formatMultiplier, formatPercentFromBp } from './format.js';
import { matchLocale } from './locale.js';

describe('amounts as a customer reads them', () => {
  it('formats rate adjustments both as basis points and percent, and limits as multipliers', () => {
    expect(formatBp(20)).to.equal('+20 bp');
    expect(formatBp(-30)).to.equal('\u221230 bp');
    expect(formatPercentFromBp(20, 'en')).to.equal('+0.20 %');
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
