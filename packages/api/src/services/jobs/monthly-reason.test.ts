import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { monthlyReason, monthlyReasonWithout } from './monthly-reason.js';

/* The monthly job's reason read by staff who may not read a scheme: its counts without that scheme's. */

const hidden = new Set(['aml-risk']);

describe('the monthly reason without a hidden scheme', () => {
  it('drops the hidden scheme’s counts and totals the rest; a reason with no counts is not rewritten', () => {
    const reason = monthlyReason('2026-05', {
      total: 6,
      byLevel: [
        { scheme: 'aml-risk', level: 'high', count: 3 },
        { scheme: 'aml-risk', level: 'low', count: 1 },
        { scheme: 'retail-tier', level: 'gold', count: 2 },
      ],
    });
    assert.equal(
      monthlyReasonWithout(reason, hidden),
      'monthly re-evaluation of 2026-05; 2 reviews overdue (retail-tier gold 2): GET /v1/reviews/overdue lists them',
    );
    const none = monthlyReason('2026-05', { total: 0, byLevel: [] });
    assert.equal(monthlyReasonWithout(none, hidden), undefined);
    assert.equal(monthlyReasonWithout('re-tier after the gold review', hidden), undefined);
  });

  it('a reason cut at its limit loses its last, maybe partial, count rather than misreading it', () => {
    const byLevel = Array.from({ length: 40 }, (_, i) => ({ scheme: i % 2 ? 'aml-risk' : 'retail-tier', level: `level-${i}`, count: 12 }));
    const reason = monthlyReason('2026-05', { total: 480, byLevel });
    assert.equal(reason.length, 500);
    const shown = monthlyReasonWithout(reason, hidden) ?? '';
    assert.doesNotMatch(shown, /aml-risk/);
    const counts = [...shown.matchAll(/retail-tier level-\d+ (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(counts.length > 0 && counts.every((n) => n === 12), shown);
    assert.match(shown, new RegExp(`; ${counts.length * 12} reviews overdue`));
  });
});
