import assert from 'node:assert/strict';
import { it } from 'node:test';
import { callListRows } from '@tierkit/admin';
import type { ListedSubject } from '@tierkit/client';
import { defaultPolicyPack } from '@tierkit/core';

/*
 * A change list's row (本月升级/降级, and its CSV) shows the change the customer is listed for — the API's
 * `change` — not the level and month of their `standing`, which for a customer the next month-end re-tier
 * has reached already are that new month's (packages/admin README, `callListRows`).
 */
const retail = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier');

it('shows the listed change of a customer the running re-tier has moved on, and the standing of one it has not', () => {
  assert.ok(retail);
  const standing = (previousLevel: string | null, period: string) => ({
    previousLevel,
    period,
    periodsBelow: 0,
    decidedBy: { kind: 'default' as const, id: 'base', label: { 'zh-CN': '默认', 'zh-TW': '預設', en: 'default' } },
    progress: null,
    retention: null,
  });
  const items = [
    // Fell platinum → gold at 2025-09; the running 2025-10 job has re-tiered them: gold → standard there.
    {
      id: 'D1',
      displayName: '陶*',
      level: 'standard',
      standing: standing('gold', '2025-10'),
      change: { period: '2025-09', from: 'platinum', to: 'gold' },
    },
    // Not reached yet: its standing is its change.
    {
      id: 'D2',
      displayName: '陶*',
      level: 'gold',
      standing: standing('platinum', '2025-09'),
      change: { period: '2025-09', from: 'platinum', to: 'gold' },
    },
    // No list of changes: where they stand.
    { id: 'G1', displayName: '陶*', level: 'gold', standing: standing('platinum', '2025-10') },
  ] as unknown as ListedSubject[];
  assert.deepEqual(
    callListRows(items, retail, 'zh-CN').map((r) => [r.id, r.level, r.fromName, r.levelName, r.period]),
    [
      ['D1', 'gold', '白金卡', '金卡', '2025-09'],
      ['D2', 'gold', '白金卡', '金卡', '2025-09'],
      ['G1', 'gold', '白金卡', '金卡', '2025-10'],
    ],
  );
});
