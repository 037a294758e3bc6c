import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatMoney, groupDigits } from './money.js';

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
