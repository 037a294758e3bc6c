import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bankLocalToUtc, formatBankTime, lastClosedMonth } from '../../apps/admin/src/time.js';

describe('the console’s bank clock (Asia/Shanghai)', () => {
  it('the last closed month turns at midnight in Shanghai, not in UTC', () => {
    // 2026-12-01 00:30 in Shanghai is still November in UTC: November has closed for the bank.
    assert.equal(lastClosedMonth(new Date('2026-11-30T16:30:00Z')), '2026-11');
    assert.equal(lastClosedMonth(new Date('2026-11-30T15:59:00Z')), '2026-10');
    assert.equal(lastClosedMonth(new Date('2027-01-01T00:00:00Z')), '2026-12', 'across a year');
  });

  it('a wall time typed in the bank’s zone is the UTC instant the API takes, and prints back the same', () => {
    assert.equal(bankLocalToUtc('2025-11-15T12:00'), '2025-11-15T04:00:00Z');
    assert.equal(bankLocalToUtc('2025-11-01T03:00'), '2025-10-31T19:00:00Z');
    assert.equal(bankLocalToUtc(''), undefined);
    assert.equal(bankLocalToUtc('15/11/2025'), undefined);
    // One form in every language (year first, 24-hour), as the other screens show times.
    assert.equal(formatBankTime('2025-11-15T04:00:00.000Z', 'en'), '2025-11-15 12:00:00');
    assert.equal(formatBankTime('2025-11-15T16:30:05.000Z', 'zh-CN'), '2025-11-16 00:30:05');
  });
});
