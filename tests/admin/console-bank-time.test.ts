import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bankTimeZone,
  DEFAULT_BANK_TIME_ZONE,
  formatBankTime,
  formatInstant,
  lastClosedMonth,
  useBankTimeZone,
} from '../../apps/admin/src/time.js';

describe('the console’s bank clock (Asia/Shanghai)', () => {
  it('the last closed month turns at midnight in Shanghai, not in UTC', () => {
    // 2026-12-01 00:30 in Shanghai is still November in UTC: November has closed for the bank.
    assert.equal(lastClosedMonth(new Date('2026-11-30T16:30:00Z')), '2026-11');
    assert.equal(lastClosedMonth(new Date('2026-11-30T15:59:00Z')), '2026-10');
    assert.equal(lastClosedMonth(new Date('2027-01-01T00:00:00Z')), '2026-12', 'across a year');
  });

  it('an instant prints as the bank’s wall time (a typed one is read by the kit: tests/admin/wall-time.test.ts)', () => {
    // One form in every language (year first, 24-hour), as the other screens show times.
    assert.equal(formatBankTime('2025-11-15T04:00:00.000Z', 'en'), '2025-11-15 12:00:00');
    assert.equal(formatBankTime('2025-11-15T16:30:05.000Z', 'zh-CN'), '2025-11-16 00:30:05');
  });

  it('counts in the zone the session names, and ignores one the browser does not know', () => {
    try {
      useBankTimeZone('America/New_York');
      assert.equal(bankTimeZone(), 'America/New_York');
      // November closes at 05:00 UTC on 1 December in New York (winter time).
      assert.equal(lastClosedMonth(new Date('2026-12-01T04:59:00Z')), '2026-10');
      assert.equal(lastClosedMonth(new Date('2026-12-01T05:00:00Z')), '2026-11');
      assert.equal(formatInstant('2026-07-01T13:00:00Z'), '2026-07-01 09:00 (America/New_York)');
      useBankTimeZone('America/New_Yrok');
      useBankTimeZone(undefined);
      assert.equal(bankTimeZone(), 'America/New_York', 'a mistyped or missing zone changes nothing');
    } finally {
      useBankTimeZone(DEFAULT_BANK_TIME_ZONE);
    }
    assert.equal(formatInstant('2026-07-01T13:00:00Z'), '2026-07-01 21:00 (Asia/Shanghai)');
  });
});
