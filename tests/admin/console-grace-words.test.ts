// Grace said one way: the policy editor's help, its simulation and the call list name the re-tier that
// drops a held level (core's graceDrop), never "已用 1/3 期" beside "第 3 期起降级" and "2 个月后".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CUSTOMER_WORDS } from '../../apps/admin/src/pages/customer.words.js';
import { POLICY_WORDS } from '../../apps/admin/src/pages/policies.words.js';

describe('grace wording', () => {
  it('a card tier with 3 months of grace, first below in November 2026: all three say the January 2027 re-tier drops it', () => {
    const drop = {
      'zh-CN': '保留至 2026年12月，2027年1月重评降级',
      'zh-TW': '保留至 2026年12月，2027年1月重評降級',
      en: 'kept through Dec 2026, downgraded at the Jan 2027 re-tier',
    } as const;
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      const p = POLICY_WORDS[locale];
      // The editor's help for downgradeAfterPeriods = 3, for someone first below in 2026-11.
      assert.ok(p.graceHelp('2026-11', 3).includes(drop[locale]), p.graceHelp('2026-11', 3));
      // The simulation of November: one month below so far, two more to go.
      assert.ok(p.heldCell('金卡', '普通', 5, '2026-11', 2).includes(drop[locale]), p.heldCell('金卡', '普通', 5, '2026-11', 2));
      // The call list's row of November: 1 of 3 months used.
      const c = CUSTOMER_WORDS[locale];
      assert.ok(c.graceUsed('2026-11', 1, 3).includes(drop[locale]), c.graceUsed('2026-11', 1, 3));
      // A month later the same customer still drops at the same re-tier.
      assert.ok(c.graceUsed('2026-12', 2, 3).includes(drop[locale]), c.graceUsed('2026-12', 2, 3));
    }
    assert.equal(CUSTOMER_WORDS['zh-CN'].graceUsed('2026-11', 1, 3), '低于标准 1 个月，保留至 2026年12月，2027年1月重评降级');
    assert.equal(POLICY_WORDS['zh-CN'].graceHelp('2027-01', 2), '例：2027年1月首次低于条件，保留至 2027年1月，2月重评降级。');
    assert.equal(POLICY_WORDS['zh-CN'].graceHelp('2027-01', 0), '例：2027年1月首次低于条件，2027年1月重评即降级。');
  });
});
