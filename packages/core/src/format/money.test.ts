import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fenToYuanText, formatMoney, gapUp, groupDigits, yuanToFen } from './money.js';

describe('formatMoney', () => {
  it('prints integer fen as a symbol amount, with decimals only when there are fen', () => {
    assert.equal(formatMoney(1_200_000), '¥12,000');
    assert.equal(formatMoney(1_200_050, 'CNY'), '¥12,000.50');
    assert.equal(formatMoney(4_999_999), '¥49,999.99');
    assert.equal(formatMoney(1), '¥0.01');
    assert.equal(formatMoney(-30_000), '\u2212¥300');
    assert.equal(formatMoney(100_000, 'HKD'), 'HK$1,000');
    assert.equal(formatMoney(5_000, 'JPY'), 'JP¥5,000', 'to a mainland reader ¥ is the yuan');
    assert.equal(formatMoney(100_000, 'CHF'), 'CHF 1,000');
  });

  it("writes the reader's symbol, as Intl does: ¥ is the yuan to a mainland reader, the yen in Taiwan and in English", () => {
    for (const [locale, cny, jpy] of [
      ['zh-CN', '¥1,234.50', 'JP¥1,235'],
      ['zh-TW', 'CN¥1,234.50', '¥1,235'],
      ['en', 'CN¥1,234.50', '¥1,235'],
    ] as const) {
      assert.equal(formatMoney(123_450, 'CNY', locale), cny, locale);
      assert.equal(formatMoney(1_235, 'JPY', locale), jpy, locale);
      // The same symbol Intl gives that reader (its minus is a hyphen, and it rounds yen the same).
      const intl = (c: string, n: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: c }).format(n);
      assert.equal(cny, intl('CNY', 1234.5), locale);
      assert.equal(jpy, intl('JPY', 1235), locale);
    }
    assert.equal(formatMoney(-30_000, 'CNY', 'en'), '\u2212CN¥300');
    assert.equal(formatMoney(100_000, 'HKD', 'zh-TW'), 'HK$1,000');
  });

  it('keeps every digit of a sum beyond what a float division would print exactly', () => {
    // 10 trillion yuan and one fen: the largest amount the API stores.
    assert.equal(formatMoney(1_000_000_000_000_001), '¥10,000,000,000,000.01');
  });
});

describe('groupDigits', () => {
  it('groups thousands', () => {
    assert.equal(groupDigits(1234567), '1,234,567');
    assert.equal(groupDigits(12), '12');
  });
});

describe('yuanToFen and fenToYuanText', () => {
  it('read typed yuan as exact integer fen and write fen back as the same plain yuan', () => {
    assert.equal(yuanToFen('1234.56'), 123_456);
    assert.equal(yuanToFen('0.1'), 10);
    assert.equal(yuanToFen('50000'), 5_000_000);
    for (const bad of ['', '1.234', '-1', '1,000', '5万', '1e3']) assert.equal(yuanToFen(bad), undefined, bad);
    for (const fen of [0, 5, 10, 50, 123_456, 5_000_000, 15_000_000]) assert.equal(yuanToFen(fenToYuanText(fen)), fen, String(fen));
    assert.equal(fenToYuanText(5_000_000), '50000');
    assert.equal(fenToYuanText(123_450), '1234.5');
    assert.equal(fenToYuanText(-250), '-2.5');
  });
});

describe('gapUp', () => {
  it('keeps a gap of whole yuan and rounds any fen up to the next yuan', () => {
    assert.equal(gapUp(1_200_000), 1_200_000);
    assert.equal(gapUp(4_663_131, 'CNY'), 4_663_200);
    assert.equal(gapUp(4_663_199, 'CNY'), 4_663_200);
    assert.equal(gapUp(1), 100, 'one fen missing is one yuan to add, never ¥0');
    assert.equal(gapUp(101, 'HKD'), 200);
    assert.equal(gapUp(101, 'CHF'), 200, 'a currency the table does not name has 100 minor units');
    assert.equal(formatMoney(gapUp(4_663_131)), '¥46,632');
  });

  it('leaves yen alone: JPY has no minor unit (the table formatMoney reads)', () => {
    assert.equal(gapUp(4_663_131, 'JPY'), 4_663_131);
    assert.equal(formatMoney(gapUp(4_663_131, 'JPY'), 'JPY', 'en'), '¥4,663,131');
  });

  it('needs nothing for a met line: zero, or a negative difference', () => {
    assert.equal(gapUp(0), 0);
    assert.equal(gapUp(-1), 0);
    assert.equal(gapUp(-4_663_131, 'JPY'), 0);
  });

  it('stays exact for the largest sum the API stores', () => {
    assert.equal(gapUp(1_000_000_000_000_001), 1_000_000_000_000_100);
  });
});
