import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fenToYuanText, formatMoney, groupDigits, yuanToFen } from './money.js';

describe('formatMoney', () => {
  it('prints integer fen as a symbol amount, with decimals only when there are fen', () => {
    assert.equal(formatMoney(1_200_000), '¥12,000');
    assert.equal(formatMoney(1_200_050, 'CNY'), '¥12,000.50');
    assert.equal(formatMoney(4_999_999), '¥49,999.99');
    assert.equal(formatMoney(1), '¥0.01');
    assert.equal(formatMoney(-30_000), '\u2212¥300');
    assert.equal(formatMoney(100_000, 'HKD'), 'HK$1,000');
    assert.equal(formatMoney(5_000, 'JPY'), '¥5,000');
    assert.equal(formatMoney(100_000, 'CHF'), 'CHF 1,000');
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
